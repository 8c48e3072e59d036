# shellcheck shell=bash
# Shared by the deploy/ec2 scripts (sourced, never run): step printing, the error trap, running
# commands as the app user, and reading the app's database settings so that the password only ever
# travels through a mode-600 option file, never through a command line that `ps` shows.

# Production defaults. Every one can be overridden from the environment, which is how the tests run
# these scripts on a plain Debian box as root without touching /srv or systemd.
EPICBOOK_ROOT=${EPICBOOK_ROOT:-/srv/epicbook}
EPICBOOK_USER=${EPICBOOK_USER:-epicbook}
ENV_FILE=${ENV_FILE:-$EPICBOOK_ROOT/shared/.env}
BACKUP_DIR=${BACKUP_DIR:-$EPICBOOK_ROOT/backups}
MYSQL=${MYSQL:-mysql}
MYSQLDUMP=${MYSQLDUMP:-mysqldump}

SCRIPT_NAME=$(basename "$0")
CURRENT_STEP="starting"
TEMP_PATHS=()

step() {
  CURRENT_STEP="$*"
  printf '\n==> %s\n' "$*"
}

info() { printf '    %s\n' "$*"; }

warn() { printf '%s: warning: %s\n' "$SCRIPT_NAME" "$*" >&2; }

# For failures the script detects itself: one line that says what is wrong and what to do.
die() {
  printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
  exit 1
}

usage_error() {
  printf '%s: %s (see --help)\n' "$SCRIPT_NAME" "$*" >&2
  exit 2
}

# For failures of a command: the trap names the step, so the operator knows what was done and what
# was not. A failing command inside $(...) or a pipeline runs this in a subshell too; only the top
# level reports, or the message would appear twice.
on_error() {
  local status=$1 line=$2 command=$3
  if [ "${BASH_SUBSHELL:-0}" -gt 0 ]; then exit "$status"; fi
  printf '\n%s: FAILED during step "%s" (exit status %s at line %s: %s)\n' \
    "$SCRIPT_NAME" "$CURRENT_STEP" "$status" "$line" "$command" >&2
  # A script can define on_failure to leave things tidy (deploy.sh marks its half-built release).
  if declare -F on_failure >/dev/null; then on_failure || true; fi
  printf '%s: stopped there; nothing after that step was done.\n' "$SCRIPT_NAME" >&2
  exit "$status"
}

cleanup_temp() {
  local p
  for p in "${TEMP_PATHS[@]}"; do rm -rf -- "$p"; done
}

enable_error_trap() {
  set -E
  trap 'on_error $? $LINENO "$BASH_COMMAND"' ERR
  trap cleanup_temp EXIT
}

# A private temporary file (mode 600 whatever the umask), removed when the script exits. Its path
# is left in TEMP_FILE rather than printed: called as $(...), the list of files to remove would be
# extended in a subshell, and the file would outlive the script.
private_temp_file() {
  TEMP_FILE=$(umask 077 && mktemp "${TMPDIR:-/tmp}/epicbook-$1.XXXXXX")
  TEMP_PATHS+=("$TEMP_FILE")
  chmod 600 "$TEMP_FILE"
}

need_command() {
  command -v "$1" >/dev/null 2>&1 || die "$1 is not installed${2:+ ($2)}"
}

positive_integer() {
  [[ $1 =~ ^[0-9]+$ ]] && [ "$1" -ge "${2:-1}" ]
}

# ---- the app user ------------------------------------------------------------------------------

# Runs a command as the app user. npm, git and PM2 never run as root: root would own what they write
# (node_modules, the PM2 daemon and its dump) and any install script would run with root's rights.
# Run as that user already (as the tests do, with EPICBOOK_USER set to themselves), it is a plain
# call. From root it is runuser with a clean environment: only what the app user's tools need, so
# nothing of root's (nor any secret in it) reaches PM2, which copies its caller's environment into
# the workers and into `pm2 save`'s dump.
as_app() {
  if [ "$(id -un)" = "$EPICBOOK_USER" ]; then
    "$@"
    return
  fi
  [ "$(id -u)" = 0 ] || die "run this as root (sudo) or as the app user $EPICBOOK_USER"
  local home
  home=$(app_home)
  local env=(HOME="$home" USER="$EPICBOOK_USER" LOGNAME="$EPICBOOK_USER" LANG=C.UTF-8
    PATH="$home/.local/bin:/usr/local/bin:/usr/bin:/bin")
  local name
  # The knobs deploy/pm2/ecosystem.config.cjs reads when PM2 loads it.
  for name in WEB_CONCURRENCY EPICBOOK_LOG_DIR PM2_HOME; do
    if [ -n "${!name:-}" ]; then env+=("$name=${!name}"); fi
  done
  "${RUNUSER:-runuser}" -u "$EPICBOOK_USER" -- env -i "${env[@]}" "$@"
}

app_home() {
  local entry
  entry=$(getent passwd "$EPICBOOK_USER") || die "there is no user $EPICBOOK_USER (run provision.sh first)"
  printf '%s\n' "$(cut -d: -f6 <<<"$entry")"
}

# ---- the app's .env ---------------------------------------------------------------------------

# Prints the value KEY has in a dotenv file, with the dotenv package's rules: later lines win,
# `export ` is allowed, a quoted value is taken as it is, an unquoted one ends at the first # and
# is trimmed. The file is parsed, never sourced: it belongs to the app user, and sourcing it as
# root would run whatever it holds.
env_file_get() {
  local file=$1 key=$2 line name value found=1 result=''
  [ -r "$file" ] || return 1
  while IFS= read -r line || [ -n "$line" ]; do
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*=(.*)$ ]] || continue
    name=${BASH_REMATCH[2]}
    [ "$name" = "$key" ] || continue
    value=${BASH_REMATCH[3]}
    value=${value#"${value%%[![:space:]]*}"}
    if [[ $value =~ ^\"([^\"]*)\"[[:space:]]*(#.*)?$ ]] || [[ $value =~ ^\'([^\']*)\'[[:space:]]*(#.*)?$ ]]; then
      value=${BASH_REMATCH[1]}
    else
      value=${value%%#*}
      value=${value%"${value##*[![:space:]]}"}
    fi
    result=$value
    found=0
  done <"$file"
  [ "$found" = 0 ] && printf '%s' "$result"
}

# A setting as the app sees it: the real environment wins over .env, and empty means unset.
app_setting() {
  local key=$1 value
  value=${!key:-}
  if [ -z "$value" ]; then value=$(env_file_get "$ENV_FILE" "$key" || true); fi
  printf '%s' "$value"
}

url_decode() {
  local s=${1//\\/\\\\}
  printf '%b' "${s//%/\\x}"
}

# Sets DB_HOST DB_PORT DB_USER DB_PASSWORD DB_NAME the way config.ts does: DATABASE_URL
# (mysql:// or mariadb://) or else DB_HOST + DB_USER + DB_NAME.
load_db_settings() {
  local url rest userinfo hostport
  url=$(app_setting DATABASE_URL)
  if [ -n "$url" ]; then
    case $url in
      mysql://* | mariadb://*) ;;
      sqlite:*) die "DATABASE_URL is a SQLite file: copy the file (with the app stopped) instead of using this script" ;;
      *) die "DATABASE_URL must start with mysql:// or mariadb:// (in $ENV_FILE or the environment)" ;;
    esac
    rest=${url#*://}
    rest=${rest%%\?*}
    [[ $rest == *@* ]] || die "DATABASE_URL needs a user: mysql://user:password@host:3306/database"
    userinfo=${rest%@*}
    rest=${rest##*@}
    hostport=${rest%%/*}
    DB_NAME=''
    if [[ $rest == */* ]]; then DB_NAME=$(url_decode "${rest#*/}"); fi
    DB_USER=$(url_decode "${userinfo%%:*}")
    DB_PASSWORD=''
    if [[ $userinfo == *:* ]]; then DB_PASSWORD=$(url_decode "${userinfo#*:}"); fi
    if [[ $hostport =~ ^\[([^]]+)\](:([0-9]+))?$ ]]; then
      DB_HOST=${BASH_REMATCH[1]}
      DB_PORT=${BASH_REMATCH[3]:-3306}
    else
      DB_HOST=${hostport%%:*}
      DB_PORT=3306
      if [[ $hostport == *:* ]]; then DB_PORT=${hostport##*:}; fi
    fi
  else
    DB_HOST=$(app_setting DB_HOST)
    DB_USER=$(app_setting DB_USER)
    DB_NAME=$(app_setting DB_NAME)
    DB_PASSWORD=$(app_setting DB_PASSWORD)
    DB_PORT=$(app_setting DB_PORT)
    DB_PORT=${DB_PORT:-3306}
    if [ -z "$DB_HOST$DB_USER$DB_NAME" ]; then
      die "no MySQL database configured: set DATABASE_URL (or DB_HOST, DB_USER, DB_NAME) in $ENV_FILE"
    fi
  fi
  if [ -z "$DB_HOST" ] || [ -z "$DB_USER" ] || [ -z "$DB_NAME" ]; then
    die "the database settings need a host, a user and a database name (DATABASE_URL or DB_HOST, DB_USER, DB_NAME in $ENV_FILE)"
  fi
  [[ $DB_PORT =~ ^[0-9]+$ ]] || die "the database port must be a number, not \"$DB_PORT\""
  [[ $DB_NAME =~ ^[A-Za-z0-9_\$]{1,64}$ ]] || die "\"$DB_NAME\" is not a plain database name"
}

# An option-file value in double quotes, so that #, spaces and quotes in a password survive.
cnf_quote() {
  local v=${1//\\/\\\\}
  printf '"%s"' "${v//\"/\\\"}"
}

# Writes the connection settings to a private option file, whose path it leaves in DB_CNF. The
# clients get it as --defaults-file (not --defaults-extra-file): with the extra file, a ~/.my.cnf of
# whoever runs the script is read afterwards and its user or password would silently win.
write_client_cnf() {
  private_temp_file db.cnf
  DB_CNF=$TEMP_FILE
  {
    printf '[client]\n'
    printf 'host=%s\n' "$(cnf_quote "$DB_HOST")"
    printf 'port=%s\n' "$DB_PORT"
    printf 'user=%s\n' "$(cnf_quote "$DB_USER")"
    printf 'password=%s\n' "$(cnf_quote "$DB_PASSWORD")"
    # The app always connects over TCP; "localhost" would otherwise make the client use the socket
    # and meet a different account ('user'@'localhost' instead of the one the app uses).
    printf 'protocol=tcp\n'
    printf 'default-character-set=utf8mb4\n'
  } >"$DB_CNF"
}

# Options mysqldump only has in some versions: the MySQL 8 client needs them to produce a dump that
# a non-SUPER account can load (GTIDs on RDS) and to talk to servers without column statistics;
# MariaDB's mysqldump rejects them.
mysqldump_version_options() {
  local help
  help=$("$MYSQLDUMP" --help 2>/dev/null || true)
  if grep -q -- '--set-gtid-purged' <<<"$help"; then printf '%s\n' '--set-gtid-purged=OFF'; fi
  if grep -q -- '--column-statistics' <<<"$help"; then printf '%s\n' '--column-statistics=0'; fi
}
