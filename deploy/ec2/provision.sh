#!/usr/bin/env bash
# Takes a fresh Ubuntu 22.04/24.04 host to a running TheEpicBook behind nginx, and can be run again
# at any time: every step checks what is already there and only adds what is missing.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: sudo deploy/ec2/provision.sh [--domain NAME --email ADDRESS] [--repo URL] [--ref REF]
                                    [--deploy] [--dry-run]

From a clone of the repository on a fresh Ubuntu 22.04 or 24.04 host, as root:
  - installs git, nginx, the mysql client and Node.js (NodeSource, NODE_MAJOR, default 22)
  - with a local database (the default): installs MySQL server, creates the database and an
    account with only the privileges the app needs, and /etc/epicbook/mysql-admin.cnf for restores
  - with DATABASE_URL pointing at another host (RDS): installs no server; creates the database
    and account there only when DB_ADMIN_CNF names an admin option file, otherwise expects them
  - imports db/schema.sql, db/author_seed.sql and db/books_seed.sql (all idempotent)
  - creates the system user epicbook and /srv/epicbook/{releases,shared,backups}, writes
    /srv/epicbook/shared/.env (mode 600) with a generated SESSION_SECRET if it has none
  - installs PM2 for that user (npm as that user, never as root) and the first release with
    deploy.sh (npm ci, build, migrate, pm2 start, health check) unless one is already live
  - installs the nginx site (deploy/nginx), registers PM2 with systemd (pm2 startup, pm2 save)
  - with --domain and --email: a Let's Encrypt certificate (certbot --webroot) and the HTTPS site

Options:
  --domain NAME    the shop's DNS name (must already point at this host) for HTTPS
  --email ADDRESS  for Let's Encrypt's expiry notices (required with --domain)
  --repo URL       where deploy.sh fetches the code (default: this clone's origin remote)
  --ref REF        branch, tag or commit to deploy first (default: the default branch)
  --deploy         deploy REF even when a release is already live
  --dry-run        print what would be done; change nothing
  -h, --help       this text

Environment: DATABASE_URL (an existing database, e.g. RDS; never pass it as an argument, where
`ps` and the shell history would keep the password), DB_ADMIN_CNF, DOMAIN, CERTBOT_EMAIL,
NODE_MAJOR (22), EPICBOOK_ROOT (/srv/epicbook), EPICBOOK_USER (epicbook), EPICBOOK_DB_NAME
(bookstore, for a local database), WEB_CONCURRENCY (PM2 workers, default one per core).
EOF
}

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
enable_error_trap

SRC_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
NODE_MAJOR=${NODE_MAJOR:-22}
EPICBOOK_ETC=${EPICBOOK_ETC:-/etc/epicbook}
NGINX_DIR=${NGINX_DIR:-/etc/nginx}
ACME_ROOT=/var/www/letsencrypt
LOG_DIR=${EPICBOOK_LOG_DIR:-/var/log/epicbook}
ADMIN_CNF="$EPICBOOK_ETC/mysql-admin.cnf"
MYSQL_SOCKET=/var/run/mysqld/mysqld.sock
# Exactly what the app and its migrations use: reads and writes, CREATE (tables), ALTER (added
# columns), INDEX, REFERENCES (MySQL 8 checks it for foreign keys). No DROP, so a bug or an
# injection in the app cannot drop a table; restores run as an administrator (restore.sh).
APP_PRIVILEGES="SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, REFERENCES"

domain=${DOMAIN:-}
email=${CERTBOT_EMAIL:-}
repo=${REPO_URL:-}
ref=${DEPLOY_REF:-}
force_deploy=false
dry_run=false
while [ $# -gt 0 ]; do
  case $1 in
    --domain) [ $# -ge 2 ] || usage_error "--domain needs a name"; domain=$2; shift 2 ;;
    --domain=*) domain=${1#*=}; shift ;;
    --email) [ $# -ge 2 ] || usage_error "--email needs an address"; email=$2; shift 2 ;;
    --email=*) email=${1#*=}; shift ;;
    --repo) [ $# -ge 2 ] || usage_error "--repo needs a URL"; repo=$2; shift 2 ;;
    --repo=*) repo=${1#*=}; shift ;;
    --ref) [ $# -ge 2 ] || usage_error "--ref needs a branch, tag or commit"; ref=$2; shift 2 ;;
    --ref=*) ref=${1#*=}; shift ;;
    --deploy) force_deploy=true; shift ;;
    --dry-run) dry_run=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
if [ -n "$domain" ]; then
  [[ $domain =~ ^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)+$ ]] ||
    usage_error "--domain must be a DNS name such as shop.example.com, not \"$domain\""
  [ -n "$email" ] || usage_error "--domain needs --email too (Let's Encrypt's account address)"
fi
if [ -n "$email" ] && [ -z "$domain" ]; then usage_error "--email is only used with --domain"; fi
if ! [[ $NODE_MAJOR =~ ^[0-9]+$ ]] || [ "$NODE_MAJOR" -lt 20 ]; then
  usage_error "NODE_MAJOR must be 20 or later (package.json engines), not \"$NODE_MAJOR\""
fi

# ---- doing, or saying what would be done --------------------------------------------------------

say_command() { printf '    [dry-run] %s\n' "$*"; }

# Every change goes through run, as_app_run or write_file, so --dry-run can list them instead.
run() {
  if [ "$dry_run" = true ]; then say_command "$(printf '%q ' "$@")"; return 0; fi
  "$@"
}

as_app_run() {
  if [ "$dry_run" = true ]; then say_command "as $EPICBOOK_USER: $(printf '%q ' "$@")"; return 0; fi
  # From /, as the app user may not enter the clone this runs from (a home directory is 750).
  (cd / && as_app "$@")
}

# write_file PATH MODE OWNER: stdin becomes PATH, created with MODE before any content lands in it.
write_file() {
  local path=$1 mode=$2 owner=$3
  if [ "$dry_run" = true ]; then
    cat >/dev/null
    say_command "write $path (mode $mode, owner $owner)"
    return 0
  fi
  local temp
  temp=$(umask 077 && mktemp "$path.XXXXXX")
  cat >"$temp"
  chmod "$mode" "$temp"
  chown "$owner" "$temp"
  mv -f "$temp" "$path"
}

# SQL on stdin, as the administrator in option file $1; in a dry run it is shown, password hidden.
admin_sql() {
  local cnf=$1 sql
  sql=$(cat)
  if [ "$dry_run" = true ]; then
    say_command "mysql --defaults-file=$cnf <<SQL"
    sed -e "s/IDENTIFIED BY '[^']*'/IDENTIFIED BY '********'/" -e 's/^/      /' <<<"$sql"
    return 0
  fi
  "$MYSQL" --defaults-file="$cnf" --batch <<<"$sql"
}

sql_string() {
  local v=${1//\\/\\\\}
  printf "'%s'" "${v//\'/\'\'}"
}

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

APT_UPDATED=false
apt_install() {
  local missing=() p
  for p in "$@"; do installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    info "already installed: $*"
    return 0
  fi
  if [ "$APT_UPDATED" = false ]; then
    run apt-get update -q
    APT_UPDATED=true
  fi
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
}

node_major() {
  local v
  v=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) || v=0
  printf '%s' "${v:-0}"
}

is_local_host() {
  case $1 in
    127.0.0.1 | localhost | ::1) return 0 ;;
    *) return 1 ;;
  esac
}

# The instance's public IPv4 from the EC2 metadata service (IMDSv2: a token first), for the summary.
public_address() {
  local token address=''
  if [ "$dry_run" = false ]; then
    token=$(curl -fsS --max-time 2 -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' \
      http://169.254.169.254/latest/api/token 2>/dev/null || true)
    if [ -n "$token" ]; then
      address=$(curl -fsS --max-time 2 -H "X-aws-ec2-metadata-token: $token" \
        http://169.254.169.254/latest/meta-data/public-ipv4 2>/dev/null || true)
    fi
  fi
  printf '%s' "${address:-<this host>}"
}

# ---- steps ------------------------------------------------------------------------------------

preflight() {
  step "Preflight"
  if [ "$dry_run" = true ]; then
    info "dry run: nothing will be changed"
  else
    [ "$(id -u)" = 0 ] || die "run as root: sudo $0"
  fi
  local os_id='' os_version=''
  if [ -r /etc/os-release ]; then
    os_id=$(. /etc/os-release && printf '%s' "${ID:-}")
    os_version=$(. /etc/os-release && printf '%s' "${VERSION_ID:-}")
  fi
  if [ "$os_id" = ubuntu ] && { [ "$os_version" = 22.04 ] || [ "$os_version" = 24.04 ]; }; then
    info "Ubuntu $os_version"
  elif [ "$dry_run" = true ] || [ "${ALLOW_UNSUPPORTED_OS:-}" = 1 ]; then
    warn "this is ${os_id:-an unknown system} ${os_version}, not Ubuntu 22.04/24.04; going on anyway"
  else
    die "this is ${os_id:-an unknown system} ${os_version}; provision.sh is made for Ubuntu 22.04 and 24.04 (ALLOW_UNSUPPORTED_OS=1 to try anyway)"
  fi
  local f
  for f in package.json db/schema.sql db/author_seed.sql db/books_seed.sql deploy/nginx/epicbook.conf \
    deploy/nginx/snippets/epicbook-app.conf deploy/pm2/ecosystem.config.cjs deploy/ec2/deploy.sh; do
    [ -f "$SRC_DIR/$f" ] || die "$SRC_DIR/$f is missing: run provision.sh from a complete clone of the repository"
  done
  if [ -z "$repo" ]; then
    repo=$(git -C "$SRC_DIR" remote get-url origin 2>/dev/null || true)
  fi
  if [ -z "$repo" ]; then
    repo=$SRC_DIR
    warn "this clone has no origin remote: deploying from $SRC_DIR itself, which $EPICBOOK_USER must be able to read (a clone in /home/ubuntu is not); --repo https://... avoids that"
  fi
  case $repo in
    git@* | ssh://*) warn "$repo is an SSH URL: $EPICBOOK_USER needs its own deploy key for it; an https:// URL needs nothing for a public repository" ;;
  esac
  info "code from $repo${ref:+ at $ref}"
}

resolve_database() {
  step "Decide where the database is"
  if [ -f "$ENV_FILE" ]; then
    info "$ENV_FILE exists: its settings stay as they are"
    if [ -n "${DATABASE_URL:-}" ] && [ "$(env_file_get "$ENV_FILE" DATABASE_URL || true)" != "$DATABASE_URL" ]; then
      warn "DATABASE_URL in the environment differs from $ENV_FILE; the file wins (edit it to change the database)"
    fi
    DATABASE_URL=''
    load_db_settings
    GENERATED_URL=''
  elif [ -n "${DATABASE_URL:-}" ]; then
    load_db_settings
    GENERATED_URL=$DATABASE_URL
  else
    DB_HOST=127.0.0.1 DB_PORT=3306 DB_USER=epicbook DB_NAME=${EPICBOOK_DB_NAME:-bookstore}
    # Hex: nothing in it needs escaping in a URL, in SQL or in an option file.
    DB_PASSWORD=$(openssl rand -hex 24)
    GENERATED_URL="mysql://$DB_USER:$DB_PASSWORD@$DB_HOST:$DB_PORT/$DB_NAME"
  fi
  if is_local_host "$DB_HOST"; then
    LOCAL_DB=true
    info "database $DB_NAME on $DB_HOST:$DB_PORT as $DB_USER: a MySQL server on this host"
  else
    LOCAL_DB=false
    info "database $DB_NAME on $DB_HOST:$DB_PORT as $DB_USER: another host (RDS?), no MySQL server here"
  fi
}

install_packages() {
  step "Install system packages"
  local packages=(ca-certificates curl gnupg git nginx openssl)
  if [ "$LOCAL_DB" = true ]; then packages+=(mysql-server); else packages+=(mysql-client); fi
  if [ -n "$domain" ]; then packages+=(certbot); fi
  apt_install "${packages[@]}"
}

install_node() {
  step "Install Node.js"
  local have
  have=$(node_major)
  if [ "$have" -ge 20 ]; then
    info "Node.js $(node --version) is installed (the app needs 20 or later): kept"
    return 0
  fi
  # Ubuntu's own nodejs is 12 on 22.04 and 18 on 24.04, both below the app's minimum (20), and
  # comes without npm; NodeSource's LTS packages are current and include npm. A later Ubuntu whose
  # own package is new enough is used as it is.
  local candidate
  candidate=$(apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *\([0-9]*\).*/\1/p' | head -n 1)
  if [ -n "$candidate" ] && [ "$candidate" -ge 20 ] 2>/dev/null && ! grep -qs nodesource /etc/apt/sources.list.d/*.list; then
    info "Ubuntu's nodejs $candidate is recent enough"
    apt_install nodejs npm
  else
    info "NodeSource's Node.js $NODE_MAJOR (Ubuntu's nodejs ${candidate:-?} is too old)"
    run install -d -m 755 /etc/apt/keyrings
    if [ ! -s /etc/apt/keyrings/nodesource.gpg ]; then
      if [ "$dry_run" = true ]; then
        say_command "curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o /etc/apt/keyrings/nodesource.gpg"
      else
        curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --batch --yes --dearmor -o /etc/apt/keyrings/nodesource.gpg
      fi
    fi
    printf 'deb [signed-by=/etc/apt/keyrings/nodesource.gpg] https://deb.nodesource.com/node_%s.x nodistro main\n' "$NODE_MAJOR" |
      write_file /etc/apt/sources.list.d/nodesource.list 644 root:root
    # Without the pin, Ubuntu's older nodejs could win the version comparison on some releases.
    printf 'Package: nodejs\nPin: origin deb.nodesource.com\nPin-Priority: 600\n' |
      write_file /etc/apt/preferences.d/nodesource 644 root:root
    run apt-get update -q
    APT_UPDATED=true
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
  fi
  if [ "$dry_run" = false ] && [ "$(node_major)" -lt 20 ]; then
    die "Node.js $(node --version 2>/dev/null || echo '(none)') after the install; the app needs 20 or later"
  fi
}

create_app_user() {
  step "Create the app user and directories"
  if id "$EPICBOOK_USER" >/dev/null 2>&1; then
    info "user $EPICBOOK_USER exists"
  else
    # A system account with no password and no login shell: it only runs npm, git and PM2.
    run useradd --system --user-group --create-home --home-dir "/home/$EPICBOOK_USER" \
      --shell /usr/sbin/nologin "$EPICBOOK_USER"
  fi
  # nginx (www-data) serves public/ straight from the releases, so the way there is world-readable;
  # shared/ (the .env, a SQLite store) and backups/ are not.
  run install -d -m 755 -o "$EPICBOOK_USER" -g "$EPICBOOK_USER" "$EPICBOOK_ROOT" "$EPICBOOK_ROOT/releases"
  run install -d -m 750 -o "$EPICBOOK_USER" -g "$EPICBOOK_USER" "$EPICBOOK_ROOT/shared" "$EPICBOOK_ROOT/shared/data" "$LOG_DIR"
  run install -d -m 700 -o root -g root "$BACKUP_DIR" "$EPICBOOK_ETC"
  if [ -f "$SRC_DIR/deploy/logrotate/epicbook" ]; then
    run install -m 644 "$SRC_DIR/deploy/logrotate/epicbook" /etc/logrotate.d/epicbook
  fi
}

setup_local_mysql() {
  step "MySQL server: database $DB_NAME and account $DB_USER"
  run systemctl enable --now mysql
  # Ubuntu's MySQL lets the system's root in as MySQL's root through the socket, with no password;
  # this file only says so, so it holds no secret (and is root's alone anyway).
  printf '[client]\nuser=root\nsocket=%s\n' "$MYSQL_SOCKET" | write_file "$ADMIN_CNF" 600 root:root
  create_database_and_account "$ADMIN_CNF" localhost 127.0.0.1
}

create_database_and_account() {
  local cnf=$1 hosts=("${@:2}") host sql password
  password=$(sql_string "$DB_PASSWORD")
  sql="CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
  for host in "${hosts[@]}"; do
    # ALTER USER too: on a re-run the account keeps the password that is in .env.
    sql+=$'\n'"CREATE USER IF NOT EXISTS $(sql_string "$DB_USER")@$(sql_string "$host") IDENTIFIED BY $password;"
    sql+=$'\n'"ALTER USER $(sql_string "$DB_USER")@$(sql_string "$host") IDENTIFIED BY $password;"
    sql+=$'\n'"GRANT $APP_PRIVILEGES ON \`$DB_NAME\`.* TO $(sql_string "$DB_USER")@$(sql_string "$host");"
  done
  admin_sql "$cnf" <<<"$sql"
}

setup_remote_database() {
  step "Database on $DB_HOST"
  if [ -n "${DB_ADMIN_CNF:-}" ]; then
    [ -r "$DB_ADMIN_CNF" ] || die "cannot read DB_ADMIN_CNF=$DB_ADMIN_CNF"
    # The app connects from this host's private address, which MySQL sees; % keeps it simple
    # behind a security group that only lets the app hosts reach port 3306.
    create_database_and_account "$DB_ADMIN_CNF" %
  else
    info "no DB_ADMIN_CNF: the database $DB_NAME and the account $DB_USER must exist already (deploy/README.md)"
  fi
}

write_env_file() {
  step "App settings: $ENV_FILE"
  if [ -f "$ENV_FILE" ]; then
    if [ -n "$(env_file_get "$ENV_FILE" SESSION_SECRET || true)" ]; then
      info "exists, with a SESSION_SECRET: left as it is"
    else
      info "exists without a SESSION_SECRET: adding one"
      if [ "$dry_run" = true ]; then
        say_command "append SESSION_SECRET=<openssl rand -hex 32> to $ENV_FILE"
      else
        printf '\n# Added by provision.sh. Changing it signs everyone out.\nSESSION_SECRET=%s\n' "$(openssl rand -hex 32)" >>"$ENV_FILE"
      fi
    fi
  else
    write_file "$ENV_FILE" 600 "$EPICBOOK_USER:$EPICBOOK_USER" <<EOF
# TheEpicBook production settings, written by provision.sh on $(date -u +%Y-%m-%d). See .env.example
# for every setting. Mode 600: it holds the database password and the session secret.
NODE_ENV=production
# Only nginx, on this host, talks to the app: keep it off the network.
HOST=127.0.0.1
PORT=8080
DATABASE_URL=$GENERATED_URL
# Signs session cookies and CSRF tokens. Changing it signs everyone out.
SESSION_SECRET=$(openssl rand -hex 32)
SEED_CATALOG=true
EOF
  fi
  run chown "$EPICBOOK_USER:$EPICBOOK_USER" "$ENV_FILE"
  run chmod 600 "$ENV_FILE"
}

import_schema() {
  step "Tables and the catalog: db/schema.sql, db/author_seed.sql, db/books_seed.sql"
  if [ "$dry_run" = true ]; then
    local f
    for f in schema author_seed books_seed; do say_command "mysql --defaults-file=<app account> $DB_NAME < $SRC_DIR/db/$f.sql"; done
    return 0
  fi
  local cnf
  write_client_cnf
  cnf=$DB_CNF
  "$MYSQL" --defaults-file="$cnf" --batch -e 'SELECT 1' "$DB_NAME" >/dev/null ||
    die "cannot connect to $DB_NAME on $DB_HOST:$DB_PORT as $DB_USER with the settings in $ENV_FILE"
  # All three skip what is already there, so a re-run changes nothing.
  "$MYSQL" --defaults-file="$cnf" --batch "$DB_NAME" <"$SRC_DIR/db/schema.sql"
  "$MYSQL" --defaults-file="$cnf" --batch "$DB_NAME" <"$SRC_DIR/db/author_seed.sql"
  "$MYSQL" --defaults-file="$cnf" --batch "$DB_NAME" <"$SRC_DIR/db/books_seed.sql"
  info "$("$MYSQL" --defaults-file="$cnf" --batch --skip-column-names -e 'SELECT COUNT(*) FROM Books' "$DB_NAME") books in the store"
}

install_pm2() {
  step "Install PM2 for $EPICBOOK_USER"
  local wanted home have=''
  # The version the repository tests with (devDependencies), so production runs what CI ran.
  wanted=$(sed -n 's/^ *"pm2": *"\([^"]*\)".*/\1/p' "$SRC_DIR/package.json" | head -n 1)
  wanted=${wanted:-7}
  home=/home/$EPICBOOK_USER
  if id "$EPICBOOK_USER" >/dev/null 2>&1; then home=$(app_home); fi
  # Read from its package.json: running `pm2 --version` could start a daemon as a side effect.
  have=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$home/.local/lib/node_modules/pm2/package.json" 2>/dev/null | head -n 1 || true)
  if [ -n "$have" ] && [ "${have%%.*}" = "$(tr -dc '0-9.' <<<"$wanted" | cut -d. -f1)" ]; then
    info "PM2 $have is installed in $home/.local"
  else
    # A global install into the user's own prefix: no root, and the binary outlives releases.
    as_app_run npm install --global --prefix "$home/.local" --no-audit --no-fund "pm2@$wanted"
  fi
  PM2_BIN="$home/.local/bin/pm2"
}

first_deploy() {
  if [ -L "$EPICBOOK_ROOT/current" ] && [ "$force_deploy" = false ]; then
    step "Deploy"
    info "$(basename "$(readlink "$EPICBOOK_ROOT/current")") is live: not deploying again (deploy.sh deploys; --deploy forces it here)"
    return 0
  fi
  step "Deploy the first release"
  local args=(--repo "$repo")
  if [ -n "$ref" ]; then args+=(--ref "$ref"); fi
  run env PM2="$PM2_BIN" "$SRC_DIR/deploy/ec2/deploy.sh" "${args[@]}"
}

install_nginx_site() {
  step "nginx site"
  local site snippet
  site=$(sed "s#/srv/epicbook/#$EPICBOOK_ROOT/#g" "$SRC_DIR/deploy/nginx/epicbook.conf")
  snippet=$(sed "s#/srv/epicbook/#$EPICBOOK_ROOT/#g" "$SRC_DIR/deploy/nginx/snippets/epicbook-app.conf")
  run install -d -m 755 "$NGINX_DIR/sites-available" "$NGINX_DIR/sites-enabled" "$NGINX_DIR/snippets" "$ACME_ROOT"
  write_file "$NGINX_DIR/sites-available/epicbook" 644 root:root <<<"$site"
  write_file "$NGINX_DIR/snippets/epicbook-app.conf" 644 root:root <<<"$snippet"
  run ln -sfn "$NGINX_DIR/sites-available/epicbook" "$NGINX_DIR/sites-enabled/epicbook"
  # Ubuntu's welcome page claims port 80 as default_server.
  run rm -f "$NGINX_DIR/sites-enabled/default"
  run nginx -t
  run systemctl enable nginx
  run systemctl reload-or-restart nginx
}

setup_tls() {
  [ -n "$domain" ] || return 0
  step "HTTPS for $domain (Let's Encrypt)"
  # --webroot: nginx keeps running and serves the challenge from $ACME_ROOT (epicbook.conf); certbot
  # never edits the nginx files. Without --force-renewal a re-run keeps a certificate still valid.
  run certbot certonly --webroot -w "$ACME_ROOT" -d "$domain" --email "$email" --agree-tos \
    --non-interactive --deploy-hook 'systemctl reload nginx'
  sed -e "s#/srv/epicbook/#$EPICBOOK_ROOT/#g" -e "s/epicbook\.example\.com/$domain/g" "$SRC_DIR/deploy/nginx/epicbook-tls.conf" |
    write_file "$NGINX_DIR/sites-available/epicbook-tls" 644 root:root
  run ln -sfn "$NGINX_DIR/sites-available/epicbook-tls" "$NGINX_DIR/sites-enabled/epicbook-tls"
  run nginx -t
  run systemctl reload nginx
  info "renewals: certbot's systemd timer, which reloads nginx after each one (certbot renew --dry-run to test)"
}

pm2_at_boot() {
  step "Start PM2 at boot (systemd unit pm2-$EPICBOOK_USER)"
  local home=/home/$EPICBOOK_USER
  if id "$EPICBOOK_USER" >/dev/null 2>&1; then home=$(app_home); fi
  # Writes and enables /etc/systemd/system/pm2-<user>.service, which runs `pm2 resurrect` as the
  # user: it brings back what `pm2 save` recorded.
  run "$PM2_BIN" startup systemd -u "$EPICBOOK_USER" --hp "$home"
  as_app_run "$PM2_BIN" save
  # On the first run the daemon was started by deploy.sh from this shell; hand it to systemd now,
  # so that systemd restarts it if it dies (later runs find the unit active and leave it alone).
  if [ "$dry_run" = true ] || ! systemctl is-active --quiet "pm2-$EPICBOOK_USER"; then
    as_app_run "$PM2_BIN" kill
    run systemctl start "pm2-$EPICBOOK_USER"
  fi
}

final_check() {
  step "Check the store through nginx"
  if [ "$dry_run" = true ]; then
    say_command "curl http://127.0.0.1/readyz"
    return 0
  fi
  local attempt
  for ((attempt = 1; attempt <= 30; attempt++)); do
    if curl -fsS -o /dev/null --max-time 5 http://127.0.0.1/readyz; then
      info "http://127.0.0.1/readyz answers 200"
      return 0
    fi
    sleep 2
  done
  die "nginx does not answer 200 on http://127.0.0.1/readyz: see 'sudo -u $EPICBOOK_USER $PM2_BIN logs epicbook' and /var/log/nginx/error.log"
}

preflight
resolve_database
install_packages
install_node
create_app_user
write_env_file
if [ "$LOCAL_DB" = true ]; then setup_local_mysql; else setup_remote_database; fi
import_schema
install_pm2
first_deploy
install_nginx_site
setup_tls
pm2_at_boot
final_check
step "Done"
info "the store: http://$(public_address)/${domain:+ and https://$domain/}"
info "deploy a new version: sudo $EPICBOOK_ROOT/current/deploy/ec2/deploy.sh --ref main"
info "nightly backups: see deploy/README.md (backup.sh from cron)"
