import fs from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';

/** A compiled Handlebars template. */
export type Template = Handlebars.TemplateDelegate;

type Helper = (...args: never[]) => unknown;

export interface ViewEngineOptions {
  /** The views folder, as Express's `views` setting names it. */
  viewsDir: string;
  /** Default: `<viewsDir>/layouts`. */
  layoutsDir?: string;
  /** Default: `<viewsDir>/partials`. A partial's name is its path below here without the extension (`admin/nav`). */
  partialsDir?: string;
  /** Default: `.hbs`. */
  extname?: string;
  /** The layout a view gets unless its locals say `layout: false` or name another. Default: `main`. */
  defaultLayout?: string;
  helpers?: Record<string, Helper>;
  /**
   * true: every template under the folders is read and compiled now, once, and never read again
   * (production). false: the view, its layout and every partial are read and compiled at each
   * render, so an edited template shows at the next reload (development).
   */
  cache: boolean;
}

/** What res.render's locals may carry for the engine besides the page's own values. */
interface EngineLocals {
  layout?: string | false | null;
  /** Partials for this render only, over the ones from the partials folder. */
  partials?: Record<string, Template>;
  /** Helpers for this render only, over the engine's. */
  helpers?: Record<string, Helper>;
  /** The render's `@data` (`@root` is set by Handlebars). */
  data?: Record<string, unknown>;
  runtimeOptions?: Handlebars.RuntimeOptions;
}

/** Express's view-engine signature. */
export type EngineCallback = (error: Error | null, html?: string) => void;

/** Every file with the extension below a folder, as paths relative to it with forward slashes. */
function filesBelow(dir: string, extname: string): string[] {
  const found: string[] = [];
  const walk = (relative: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(dir, relative), { withFileTypes: true });
    } catch (error) {
      // A views folder without layouts or partials is allowed, as it was with express-handlebars.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && relative === '') return;
      throw error;
    }
    for (const entry of entries) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      // Symbolic links are followed, as express-handlebars' glob did.
      const isDirectory = entry.isDirectory() || (entry.isSymbolicLink() && fs.statSync(path.join(dir, child)).isDirectory());
      if (isDirectory) walk(child);
      else if (entry.name.endsWith(extname)) found.push(child);
    }
  };
  walk('');
  return found.sort();
}

/**
 * The app's view engine: Handlebars templates in views/, with layouts and partials, rendered
 * synchronously. It replaces express-handlebars, keeping what our views rely on (the default layout
 * `main`, `layout: false` or another layout's name in the locals, partials named by their path in
 * views/partials, `{{{body}}}` in a layout, per-render `partials`, `helpers` and `data`, template
 * source and output trimmed). What it drops is the cost around each render: with the view cache on,
 * express-handlebars resolved paths, merged every partial and helper into new objects and chained
 * promises for the view and again for the layout; here a render is a map lookup and two template
 * calls. (`@exphbs` in a template, express-handlebars' own metadata, is gone; no view used it.)
 */
export class ViewEngine {
  private readonly hb = Handlebars.create();
  private readonly layoutsDir: string;
  private readonly partialsDir: string;
  private readonly extname: string;
  private readonly defaultLayout: string;
  private readonly cache: boolean;
  /** Compiled templates by absolute file path (with the cache on). */
  private readonly templates = new Map<string, Template>();
  /** The partials folder's templates by name (with the cache on; registered on `hb` too). */
  private readonly partials: Record<string, Template> = {};
  /** Layout name → file: path.resolve per render was about a seventh of the engine's time outside Handlebars (CPU profile of GET /cart). */
  private readonly layoutFiles = new Map<string, string>();

  /** For app.engine(): Express's (file, locals, callback) contract; the callback is called synchronously. */
  readonly engine = (filePath: string, locals: object, callback: EngineCallback): void => {
    let html: string;
    try {
      html = this.render(filePath, locals);
    } catch (error) {
      callback(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    callback(null, html);
  };

  constructor(options: ViewEngineOptions) {
    const viewsDir = path.resolve(options.viewsDir);
    this.layoutsDir = path.resolve(options.layoutsDir ?? path.join(viewsDir, 'layouts'));
    this.partialsDir = path.resolve(options.partialsDir ?? path.join(viewsDir, 'partials'));
    this.extname = options.extname === undefined ? '.hbs' : options.extname.startsWith('.') ? options.extname : `.${options.extname}`;
    this.defaultLayout = options.defaultLayout ?? 'main';
    this.cache = options.cache;
    if (options.helpers) this.hb.registerHelper(options.helpers as Handlebars.HelperDeclareSpec);
    if (!this.cache) return;
    for (const dir of new Set([viewsDir, this.layoutsDir, this.partialsDir])) {
      for (const file of filesBelow(dir, this.extname)) this.templateAt(path.join(dir, file));
    }
    Object.assign(this.partials, this.readPartials());
    this.hb.registerPartial(this.partials);
  }

  /** Renders the view at `filePath` (absolute, as Express passes it) in its layout. Throws on any failure. */
  render(filePath: string, locals: object): string {
    const options = locals as EngineLocals;
    const runtime = this.runtimeOptions(options);
    const body = this.templateAt(filePath)(locals, runtime).trim();
    const layout = 'layout' in options ? options.layout : this.defaultLayout;
    if (!layout) return body;
    return this.templateAt(this.layoutPath(layout), `layout "${layout}"`)({ ...locals, body }, runtime).trim();
  }

  /** Renders one partial on its own, with the engine's helpers and partials (the page cache's visitor fragments). */
  renderPartial(name: string, context: object): string {
    const partials = this.cache ? this.partials : this.readPartials();
    const partial = Object.hasOwn(partials, name) ? partials[name] : undefined;
    if (!partial) throw new Error(`The partial ${name} could not be found in ${this.partialsDir}`);
    return this.cache ? partial(context) : partial(context, { partials });
  }

  /** Whether the partials folder holds this partial. */
  hasPartial(name: string): boolean {
    return Object.hasOwn(this.cache ? this.partials : this.readPartials(), name);
  }

  private layoutPath(layout: string): string {
    let file = this.layoutFiles.get(layout);
    if (file === undefined) {
      file = path.resolve(this.layoutsDir, path.extname(layout) ? layout : layout + this.extname);
      // Layout names come from our code, a handful of them: no bound needed.
      this.layoutFiles.set(layout, file);
    }
    return file;
  }

  private runtimeOptions(options: EngineLocals): Handlebars.RuntimeOptions {
    const runtime: Handlebars.RuntimeOptions = { ...options.runtimeOptions };
    if (options.helpers) runtime.helpers = options.helpers as Handlebars.RuntimeOptions['helpers'];
    if (options.data) runtime.data = options.data;
    if (this.cache) {
      // The folder's partials are registered on the instance; Handlebars lays these over them.
      if (options.partials) runtime.partials = options.partials;
    } else {
      runtime.partials = { ...this.readPartials(), ...options.partials };
    }
    return runtime;
  }

  /** The partials folder's templates by name. */
  private readPartials(): Record<string, Template> {
    const partials: Record<string, Template> = {};
    for (const file of filesBelow(this.partialsDir, this.extname)) {
      partials[file.slice(0, -this.extname.length)] = this.templateAt(path.join(this.partialsDir, file));
    }
    return partials;
  }

  /** The compiled template in a file: from the cache, or read and compiled now. */
  private templateAt(file: string, what = 'view'): Template {
    const cached = this.templates.get(file);
    if (cached) return cached;
    let source: string;
    try {
      source = fs.readFileSync(file, 'utf8').trim();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`The ${what} does not exist: ${file}`);
      throw error;
    }
    let parsed: hbs.AST.Program;
    try {
      // Parsed now, so that a syntax error names its file (at start, in production). Handlebars
      // generates the code at first use, from this tree: what it does with the source itself
      // (the same parse, then its whitespace rules), without parsing twice.
      parsed = this.hb.parseWithoutProcessing(source);
    } catch (error) {
      throw new Error(`${path.relative(process.cwd(), file) || file}: ${(error as Error).message}`);
    }
    const template = this.hb.compile(parsed);
    if (this.cache) this.templates.set(file, template);
    return template;
  }
}
