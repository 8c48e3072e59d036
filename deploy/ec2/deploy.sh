#!/usr/bin/env bash
# Deploys a version of TheEpicBook next to the running one and switches to it without downtime;
# puts the previous version back when the new one does not answer its health check.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: deploy.sh [--ref REF] [--repo URL] [--keep N]
       deploy.sh --rollback [RELEASE]
       deploy.sh --list

Deploy (the default):
  1. fetch REF (branch, tag or commit; default: the repository's default branch) into a bare
     mirror at $EPICBOOK_ROOT/repo.git and unpack it into $EPICBOOK_ROOT/releases/<time>-<commit>
  2. link the shared .env and data/ into it, npm ci, npm run build, npm run db:migrate
     (the running version keeps serving; migrations only ever add, so it keeps working)
  3. point $EPICBOOK_ROOT/current at it and `pm2 startOrReload` the ecosystem file: PM2 replaces
     the workers one by one, each new one taking traffic only once it said it is ready
  4. check HEALTH_URL; if it does not answer 200, point current back at the previous release,
     reload again and exit 1
  5. keep the newest N good releases (the one running always among them)
A failure before step 3 leaves the running version untouched.

--rollback [RELEASE]  switch back to RELEASE (a directory name under releases/; default: the
                      newest good release older than the current one), reload, health-check
--list                the releases, newest first, marking the current one and failed ones
--ref REF             what to deploy (default: $DEPLOY_REF or the default branch)
--repo URL            where to fetch from (default: $REPO_URL; needed only for the first deploy)
--keep N              good releases to keep, at least 2 (default: $KEEP_RELEASES or 5)
-h, --help            this text

Run as root (npm, git and PM2 then run as the app user, never as root) or as the app user.
Environment (production defaults): EPICBOOK_ROOT (/srv/epicbook), EPICBOOK_USER (epicbook),
ENV_FILE ($EPICBOOK_ROOT/shared/.env), HEALTH_URL (http://127.0.0.1:<PORT from .env, 8080>/readyz),
HEALTH_ATTEMPTS (10), HEALTH_INTERVAL (seconds, 2), NPM (npm), PM2 (pm2), GIT (git),
PM2_ECOSYSTEM (deploy/pm2/ecosystem.config.cjs, inside the release), WEB_CONCURRENCY and
EPICBOOK_LOG_DIR (passed on to PM2 for the ecosystem file).
EOF
}

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
enable_error_trap
# Releases are code and public/ files that nginx (www-data) serves: readable by all, whatever the
# umask of the shell that ran sudo.
umask 022

NPM=${NPM:-npm}
PM2=${PM2:-pm2}
GIT=${GIT:-git}
PM2_ECOSYSTEM=${PM2_ECOSYSTEM:-deploy/pm2/ecosystem.config.cjs}
# After `pm2 reload` returns, every worker has said it is ready: /readyz should answer at once, so
# 20 s of 503s mean a broken release (or database), not a slow one.
HEALTH_ATTEMPTS=${HEALTH_ATTEMPTS:-10}
HEALTH_INTERVAL=${HEALTH_INTERVAL:-2}
# The ecosystem file recognises this layout (a `current` link beside `releases/`) and runs PM2 from
# the link, which is what lets a reload pick up a new release; so these two are not separately
# configurable.
RELEASES="$EPICBOOK_ROOT/releases"
CURRENT="$EPICBOOK_ROOT/current"
MIRROR="$EPICBOOK_ROOT/repo.git"
FAILED_MARK=.deploy-failed

mode=deploy
ref=${DEPLOY_REF:-HEAD}
repo=${REPO_URL:-}
keep=${KEEP_RELEASES:-5}
rollback_to=''
while [ $# -gt 0 ]; do
  case $1 in
    --ref) [ $# -ge 2 ] || usage_error "--ref needs a branch, tag or commit"; ref=$2; shift 2 ;;
    --ref=*) ref=${1#*=}; shift ;;
    --repo) [ $# -ge 2 ] || usage_error "--repo needs a URL"; repo=$2; shift 2 ;;
    --repo=*) repo=${1#*=}; shift ;;
    --keep) [ $# -ge 2 ] || usage_error "--keep needs a number"; keep=$2; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    --rollback)
      mode=rollback
      shift
      if [ $# -gt 0 ] && [[ $1 != -* ]]; then rollback_to=$1; shift; fi
      ;;
    --list) mode=list; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
positive_integer "$keep" 2 || usage_error "--keep must be a whole number of at least 2 (the running release and one to roll back to), not \"$keep\""
keep=$((10#$keep))
positive_integer "$HEALTH_ATTEMPTS" 1 || usage_error "HEALTH_ATTEMPTS must be a whole number of at least 1"
[[ $HEALTH_INTERVAL =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "HEALTH_INTERVAL must be a number of seconds"

case $EPICBOOK_ROOT in /*) ;; *) usage_error "EPICBOOK_ROOT must be an absolute path, not \"$EPICBOOK_ROOT\"" ;; esac
# Paths given relative to where deploy.sh was started, made absolute: it then works from /, since
# the app user, which runs git and npm, may not be allowed into the caller's directory.
case $ENV_FILE in /*) ;; *) ENV_FILE="$PWD/$ENV_FILE" ;; esac
if [ -n "$repo" ] && [ -d "$repo" ]; then repo=$(cd "$repo" && pwd); fi
cd /

if [ -z "${HEALTH_URL:-}" ]; then
  port=$(env_file_get "$ENV_FILE" PORT || true)
  HEALTH_URL="http://127.0.0.1:${port:-8080}/readyz"
fi

# ---- helpers ----------------------------------------------------------------------------------

current_release() {
  if [ -L "$CURRENT" ]; then basename "$(readlink "$CURRENT")"; fi
}

# Release directory names, oldest first: they start with a UTC timestamp, so name order is time order.
all_releases() {
  if [ -d "$RELEASES" ]; then
    find "$RELEASES" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | LC_ALL=C sort
  fi
}

is_good() { [ ! -e "$RELEASES/$1/$FAILED_MARK" ]; }

# The newest good release older than $1.
release_before() {
  local before='' r
  while IFS= read -r r; do
    [[ $r < $1 ]] || break
    if is_good "$r"; then before=$r; fi
  done < <(all_releases)
  printf '%s' "$before"
}

switch_to() {
  # A new link renamed over the old one: `current` is never missing, not even for an instant.
  as_app ln -sfn "releases/$1" "$CURRENT.new"
  as_app mv -Tf "$CURRENT.new" "$CURRENT"
}

# Returns non-zero instead of exiting: the caller rolls back. (set -e does not apply inside a
# function called from an `if`, hence the explicit checks.)
reload_app() {
  step "Reload PM2 ($PM2_ECOSYSTEM of $(current_release))"
  # From the link, so that PM2 records paths through `current` on its first start.
  (cd "$CURRENT" && as_app "$PM2" startOrReload "$PM2_ECOSYSTEM" --update-env) || return 1
  # What PM2 brings back after a reboot (pm2 startup) is what was saved last.
  (cd "$CURRENT" && as_app "$PM2" save) || return 1
}

health_check() {
  step "Health check: $HEALTH_URL"
  local attempt
  for ((attempt = 1; attempt <= HEALTH_ATTEMPTS; attempt++)); do
    if curl -fsS -o /dev/null --max-time 5 "$HEALTH_URL" 2>/dev/null; then
      info "answered 200 (attempt $attempt)"
      return 0
    fi
    if [ "$attempt" -lt "$HEALTH_ATTEMPTS" ]; then sleep "$HEALTH_INTERVAL"; fi
  done
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$HEALTH_URL" 2>/dev/null || true)
  warn "$HEALTH_URL did not answer 200 after $HEALTH_ATTEMPTS attempt(s) (last status: ${status:-none})"
  return 1
}

prune() {
  step "Keep the newest $keep good releases"
  local current releases=() r good=0
  current=$(current_release)
  mapfile -t releases < <(all_releases)
  for ((i = ${#releases[@]} - 1; i >= 0; i--)); do
    r=${releases[i]}
    if [ "$r" = "$current" ]; then good=$((good + 1)); continue; fi
    if is_good "$r" && [ "$good" -lt "$keep" ]; then good=$((good + 1)); continue; fi
    as_app rm -rf -- "${RELEASES:?}/$r"
    info "deleted $r"
  done
  info "$good release(s) kept"
}

# ---- modes ------------------------------------------------------------------------------------

list_releases() {
  local current r mark
  current=$(current_release)
  while IFS= read -r r; do
    mark='  '
    if [ "$r" = "$current" ]; then mark='* '; fi
    if ! is_good "$r"; then r="$r (failed)"; fi
    printf '%s%s\n' "$mark" "$r"
  done < <(all_releases | LC_ALL=C sort -r)
}

rollback() {
  local from to
  from=$(current_release)
  [ -n "$from" ] || die "nothing is deployed yet ($CURRENT does not exist)"
  to=${rollback_to:-$(release_before "$from")}
  [[ $to =~ ^[A-Za-z0-9._-]*$ ]] || die "a release is a directory name under $RELEASES, not \"$to\""
  [ -n "$to" ] || die "there is no good release older than $from to roll back to (see --list)"
  [ -d "$RELEASES/$to" ] || die "no release $to in $RELEASES (see --list)"
  [ "$to" != "$from" ] || die "$to is already the current release"

  step "Roll back: $from -> $to"
  switch_to "$to"
  if reload_app && health_check; then
    step "Done: $to is live again (was $from)"
  else
    die "rolled back to $to, but it is not healthy either: check 'pm2 logs epicbook' and $ENV_FILE"
  fi
}

deploy() {
  step "Preflight"
  local tool
  for tool in "$GIT" tar curl flock "$NPM" "$PM2"; do
    if [ "$tool" = "$PM2" ] || [ "$tool" = "$NPM" ]; then
      # shellcheck disable=SC2016 # $1 is for the inner sh
      as_app sh -c 'command -v "$1" >/dev/null' _ "$tool" || die "$tool is not installed for $EPICBOOK_USER (run provision.sh)"
    else
      need_command "$tool"
    fi
  done
  { [ -d "$RELEASES" ] && [ -d "$EPICBOOK_ROOT/shared" ]; } ||
    die "$EPICBOOK_ROOT is not set up (no releases/ or shared/): run provision.sh first"
  [ -f "$ENV_FILE" ] || die "no $ENV_FILE: run provision.sh first, or write it from .env.example"
  local previous
  previous=$(current_release)
  info "running now: ${previous:-nothing}"

  step "Fetch $ref"
  if [ -n "$repo" ] && [ -d "$repo" ] && [ "$(stat -c %U "$repo")" != "$EPICBOOK_USER" ]; then
    # A clone on this host owned by someone else (the one provision.sh ran from): git refuses to
    # read it as another user ("dubious ownership") unless that user's own config says it is fine.
    # Git names the work tree or its .git directory, depending on its version: allow both.
    local allowed safe
    allowed=$(as_app "$GIT" config --global --get-all safe.directory 2>/dev/null || true)
    for safe in "$repo" "$repo/.git"; do
      if ! grep -qxF -- "$safe" <<<"$allowed"; then
        as_app "$GIT" config --global --add safe.directory "$safe"
        info "$EPICBOOK_USER may now read the repository at $safe (git safe.directory)"
      fi
    done
  fi
  if [ ! -d "$MIRROR" ]; then
    [ -n "$repo" ] || die "first deploy: say where the code is with --repo URL (or REPO_URL)"
    as_app "$GIT" clone --bare --quiet -- "$repo" "$MIRROR"
    # Branches and tags only (a GitHub mirror would also bring every pull request's refs).
    as_app "$GIT" --git-dir="$MIRROR" config remote.origin.fetch '+refs/heads/*:refs/heads/*'
  elif [ -n "$repo" ]; then
    as_app "$GIT" --git-dir="$MIRROR" remote set-url origin "$repo"
  fi
  as_app "$GIT" --git-dir="$MIRROR" fetch --quiet --prune --tags origin
  local commit
  commit=$(as_app "$GIT" --git-dir="$MIRROR" rev-parse --verify --quiet "$ref^{commit}") ||
    die "$ref is not a branch, tag or commit of $(as_app "$GIT" --git-dir="$MIRROR" remote get-url origin)"
  info "$ref is $commit"

  step "Unpack into a new release"
  local stamp id
  stamp=$(date -u +%Y%m%d%H%M%S)
  # Names are time order; two deploys in one second would tie, so the second waits a moment.
  while compgen -G "$RELEASES/$stamp-*" >/dev/null; do
    sleep 1
    stamp=$(date -u +%Y%m%d%H%M%S)
  done
  id="$stamp-${commit:0:12}"
  NEW_RELEASE="$RELEASES/$id"
  as_app mkdir -- "$NEW_RELEASE"
  as_app "$GIT" --git-dir="$MIRROR" archive --format=tar "$commit" | as_app tar -x -C "$NEW_RELEASE"
  printf '%s %s\n' "$commit" "$ref" | as_app tee "$NEW_RELEASE/REVISION" >/dev/null
  { [ -f "$NEW_RELEASE/package.json" ] && [ -f "$NEW_RELEASE/$PM2_ECOSYSTEM" ]; } ||
    die "$commit has no package.json or $PM2_ECOSYSTEM: is $ref a TheEpicBook commit?"
  info "$NEW_RELEASE"

  step "Link the shared .env and data/"
  # config.ts reads .env from the app root, and a SQLite store lives in data/: both must outlive
  # releases.
  as_app mkdir -p -- "$EPICBOOK_ROOT/shared/data"
  as_app ln -sfn -- "$ENV_FILE" "$NEW_RELEASE/.env"
  as_app rm -rf -- "$NEW_RELEASE/data"
  as_app ln -sfn -- "$EPICBOOK_ROOT/shared/data" "$NEW_RELEASE/data"

  step "npm ci"
  # --include=dev: the build (tsc) and db:migrate (tsx) need the dev dependencies, even when
  # NODE_ENV=production is set in the environment.
  (cd "$NEW_RELEASE" && as_app "$NPM" ci --include=dev --no-audit --no-fund)

  step "Build"
  (cd "$NEW_RELEASE" && as_app "$NPM" run build)

  step "Migrate the database"
  (cd "$NEW_RELEASE" && as_app "$NPM" run db:migrate)

  step "Switch current: ${previous:-nothing} -> $id"
  switch_to "$id"
  SWITCHED=true

  if reload_app && health_check; then
    prune
    step "Done: $id is live (commit $commit)"
    return 0
  fi

  as_app touch "$NEW_RELEASE/$FAILED_MARK"
  if [ -z "$previous" ] || [ ! -d "$RELEASES/$previous" ]; then
    die "$id is not healthy and there is no previous release to go back to: check 'pm2 logs epicbook'"
  fi
  step "Roll back: $id -> $previous"
  switch_to "$previous"
  if reload_app && health_check; then
    die "deploy of $ref ($commit) FAILED the health check; rolled back to $previous, which is healthy. Release $id is kept, marked failed, for a look at 'pm2 logs epicbook'"
  fi
  die "deploy of $ref ($commit) FAILED the health check, and $previous is not healthy after the rollback either: check 'pm2 logs epicbook'"
}

NEW_RELEASE=''
SWITCHED=false
# A failure before the switch leaves the running release alone; the half-built one is marked so
# that it is neither chosen for a rollback nor kept by the pruning.
on_failure() {
  if [ -n "$NEW_RELEASE" ] && [ -d "$NEW_RELEASE" ] && [ "$SWITCHED" = false ]; then
    as_app touch "$NEW_RELEASE/$FAILED_MARK"
    printf '%s: the running release (%s) was not touched.\n' "$SCRIPT_NAME" "$(current_release || true)" >&2
  fi
}

case $mode in
  list) list_releases; exit 0 ;;
esac

# One deploy or rollback at a time.
[ -d "$EPICBOOK_ROOT" ] || die "$EPICBOOK_ROOT does not exist: run provision.sh first"
lock="$EPICBOOK_ROOT/.deploy.lock"
# Owned by the app user, so that it can deploy too (sudo -u epicbook deploy.sh).
[ -e "$lock" ] || as_app touch "$lock"
exec 9>>"$lock"
flock -n 9 || die "another deploy.sh is running on $EPICBOOK_ROOT"

case $mode in
  deploy) deploy ;;
  rollback) rollback ;;
esac
