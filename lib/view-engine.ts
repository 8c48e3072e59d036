import path from 'node:path';
import { create, type ExpressHandlebars } from 'express-handlebars';

type Template = Handlebars.TemplateDelegate;
type Helper = (...args: never[]) => unknown;

/** Express's view-engine signature. */
export type EngineCallback = (error: Error | null, html?: string) => void;
export type Engine = (filePath: string, locals: object, callback: EngineCallback) => void;

export interface ViewsOptions {
  /** The views folder, as Express's `views` setting names it; layouts/ and partials/ are in it. */
  viewsDir: string;
  helpers: Record<string, Helper>;
  /** true outside development: templates compiled once, at start, and rendered from memory. */
  cache: boolean;
}

export interface Views {
  /** express-handlebars: it finds, reads and compiles every template (the page cache's fragments take its partials and helpers). */
  library: ExpressHandlebars;
  /** For app.engine(). */
  engine: Engine;
  /** Resolves once every template is compiled (at once in development); rejects if they could not be read. */
  ready(): Promise<void>;
  /**
   * A page's view and its layout, to be rendered apart exactly as a res.render of it renders them
   * (view first, then the layout with `body` = the view's HTML), given what res.render would hand
   * the engine (app.locals, res.locals, the render's own values, `cache`). Undefined wherever the
   * engine would leave the render to express-handlebars: in development, before the start's compile
   * finished, for a view or layout that was not there at start.
   */
  page(view: string, locals: object): PageTemplates | undefined;
}

export interface PageTemplates {
  /** The view's HTML, as the engine renders it first. */
  view(): string;
  /** The page around `body`, as the engine renders the layout; null when the render has no layout. */
  layout: ((body: string) => string) | null;
}

/** What res.render's locals carry that express-handlebars reads besides the page's own values. */
interface RenderLocals {
  cache?: boolean;
  encoding?: BufferEncoding;
  layout?: unknown;
  data?: Record<string, unknown>;
  helpers?: Record<string, Helper>;
  partials?: Record<string, Template>;
  runtimeOptions?: Handlebars.RuntimeOptions;
  settings?: { views?: unknown };
}

/** What express-handlebars' renderView hands to each template call, as `@exphbs` too. */
interface RenderOptions {
  cache?: boolean;
  encoding: BufferEncoding;
  view: string;
  layout: unknown;
  data?: Record<string, unknown>;
  helpers: Record<string, Helper>;
  partials: Record<string, Template>;
  runtimeOptions?: Handlebars.RuntimeOptions;
}

/**
 * The app's views: Handlebars templates in views/, through express-handlebars. In development its
 * own engine renders (every render reads the templates again, so an edit shows at the next reload).
 * Outside development a render of ours replaces its engine: see CompiledViews.
 */
export function createViews({ viewsDir, helpers, cache }: ViewsOptions): Views {
  const library = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers,
  });
  if (!cache) return { library, engine: library.engine as Engine, ready: () => Promise.resolve(), page: () => undefined };
  const compiled = new CompiledViews(library, viewsDir);
  return {
    library,
    engine: compiled.engine,
    ready: () => compiled.loading,
    page: (view, locals) => compiled.templatesFor(path.resolve(viewsDir, view + library.extname), locals as RenderLocals),
  };
}

interface Loaded {
  /** Every template below the views folder by absolute path, with its view name. */
  templates: Map<string, { template: Template; name: string }>;
  /** Layout name (as a render's locals give it) → its template and file, filled as names are met. */
  layouts: Map<string, { template: Template; file: string }>;
  helpers: Record<string, Helper>;
  partials: Record<string, Template>;
  runtimeOptions: Handlebars.RuntimeOptions;
}

/**
 * express-handlebars' render, from templates it compiled once at start, called synchronously.
 * With its cache on it still went through dozens of promises a render (getPartials built the whole
 * partials object again from its caches, then the view and the layout each awaited getTemplate):
 * the cart page's render cost 88–102 µs of CPU that way against 29–33 µs here (in-process
 * app.render, 20,000 renders; bench/README, "How the store keeps up").
 * The template calls get exactly what express-handlebars' renderView/render pass (helpers, partials,
 * `data` with `@exphbs`, runtimeOptions; output trimmed), so a page is byte for byte the same.
 * Anything this does not hold (a render before the start's compile finished, a layout or view file
 * that was not there at start, another views folder, the cache off for one render) goes to
 * express-handlebars' own engine, which answers it as it always did, errors included.
 */
class CompiledViews {
  /** Resolves once every template is compiled. */
  readonly loading: Promise<void>;
  private loaded: Loaded | undefined;

  constructor(private readonly library: ExpressHandlebars, private readonly viewsDir: string) {
    this.loading = this.load();
    // Until then (and if loading failed) express-handlebars renders; its own errors reach the error
    // handler per request, so a failed load needs no listener here.
    this.loading.catch(() => undefined);
  }

  readonly engine: Engine = (filePath, locals, callback) => {
    const page = this.templatesFor(filePath, locals as RenderLocals);
    if (!page) {
      void this.library.engine(filePath, locals, callback);
      return;
    }
    let html: string;
    try {
      html = page.view();
      if (page.layout) html = page.layout(html);
    } catch (error) {
      callback(error as Error);
      return;
    }
    callback(null, html);
  };

  /** The view at filePath and its layout, called as engine calls them; undefined where engine defers to express-handlebars. */
  templatesFor(filePath: string, options: RenderLocals): PageTemplates | undefined {
    const loaded = this.loaded;
    const view = loaded?.templates.get(filePath);
    const layoutName = 'layout' in options ? options.layout : this.library.defaultLayout;
    const layout = layoutName ? loaded && this.layoutFor(loaded, layoutName) : null;
    if (!loaded || !view || layout === undefined || options.cache !== true || options.settings?.views !== this.viewsDir) return undefined;
    const renderOptions: RenderOptions = {
      cache: options.cache,
      encoding: options.encoding || this.library.encoding,
      view: view.name,
      layout: layoutName,
      data: options.data,
      helpers: options.helpers ? { ...loaded.helpers, ...options.helpers } : loaded.helpers,
      partials: options.partials ? { ...loaded.partials, ...options.partials } : loaded.partials,
      runtimeOptions: options.runtimeOptions,
    };
    const runtimeOptions = options.runtimeOptions ? { ...loaded.runtimeOptions, ...options.runtimeOptions } : loaded.runtimeOptions;
    return {
      view: () => call(view.template, options, filePath, renderOptions, runtimeOptions),
      layout: layout && ((body: string) => call(layout.template, { ...options, body }, layout.file, { ...renderOptions, layout: undefined }, runtimeOptions)),
    };
  }

  private async load(): Promise<void> {
    const options = { cache: true };
    // One glob below views/ takes layouts/ and partials/ too; getPartials then finds them in
    // express-handlebars' cache, the same compiled templates. Handlebars generates a template's code
    // at its first call, as it always did here: a syntax error fails that render, not the start.
    const [all, partials] = await Promise.all([
      this.library.getTemplates(this.viewsDir, options) as Promise<unknown> as Promise<Record<string, Template>>,
      this.library.getPartials(options) as Promise<Record<string, Template>>,
    ]);
    const templates: Loaded['templates'] = new Map();
    for (const [file, template] of Object.entries(all)) {
      // express-handlebars' view name: the path below the views folder without the extension.
      const name = file.endsWith(this.library.extname) ? file.slice(0, -this.library.extname.length) : file;
      templates.set(path.resolve(this.viewsDir, file), { template, name });
    }
    this.loaded = {
      templates,
      layouts: new Map(),
      helpers: { ...this.library.helpers } as Record<string, Helper>,
      partials,
      runtimeOptions: { ...this.library.runtimeOptions },
    };
  }

  /**
   * The compiled layout of that name and its file, or undefined when there was no such file at
   * start (or the name is not a string, which express-handlebars fails on). The file is resolved
   * as express-handlebars' _resolveLayoutPath does, once per name: path.resolve per render was a
   * seventh of the render's time outside Handlebars in a CPU profile of GET /cart.
   */
  private layoutFor(loaded: Loaded, name: unknown): { template: Template; file: string } | undefined {
    if (typeof name !== 'string') return undefined;
    let layout = loaded.layouts.get(name);
    if (layout) return layout;
    const file = path.resolve(this.library.layoutsDir || '', path.extname(name) ? name : name + this.library.extname);
    const template = loaded.templates.get(file)?.template;
    if (!template) return undefined;
    layout = { template, file };
    // Only names that hit are kept, and layout names come from our code: a handful, no bound needed.
    loaded.layouts.set(name, layout);
    return layout;
  }
}

/** One template call as express-handlebars' render() and _renderTemplate() make it. */
function call(template: Template, context: object, filePath: string, options: RenderOptions, runtimeOptions: Handlebars.RuntimeOptions): string {
  const { helpers, partials } = options;
  const data = { ...options.data, exphbs: { ...options, filePath, helpers, partials, runtimeOptions } };
  return template(context, { ...runtimeOptions, data, helpers: helpers as Handlebars.RuntimeOptions['helpers'], partials }).trim();
}
