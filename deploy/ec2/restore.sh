#!/usr/bin/env bash
# Loads a dump made by backup.sh back into TheEpicBook's MySQL database.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: restore.sh [--yes] [--env-file FILE] [--admin-cnf FILE] [--no-safety-backup] DUMP

Replaces the tables of the app's database with those in DUMP (a .sql.gz or .sql file written by
backup.sh). Before it touches anything it checks that DUMP is a complete mysqldump file, asks you
to type the database name (unless --yes), and takes a safety dump of the database as it is now
(unless --no-safety-backup), so a restore of the wrong file can itself be undone.

Orders, accounts, carts and sessions placed after DUMP was taken are gone afterwards. The app keeps
running; requests made during the few seconds of the load may fail. To be strict, stop it first
(sudo -u epicbook pm2 stop epicbook) and start it afterwards (pm2 start epicbook).

The connection comes from the app's settings (DATABASE_URL or DB_*) in the environment or in the
.env file, passed to mysql through a temporary option file of mode 600. The dump drops and
re-creates tables, which needs the DROP privilege; the account provision.sh creates for the app
deliberately has none, so restore as an administrator with --admin-cnf: a MySQL option file with
its credentials ([client] user=..., password=..., host=...). provision.sh writes
/etc/epicbook/mysql-admin.cnf (MySQL root through the local socket, so only root can use it) when
MySQL runs on the same host; for RDS, write one with the master user (chmod 600).

Options:
  --yes               do not ask for confirmation
  --env-file FILE     the app's .env (default: $ENV_FILE or /srv/epicbook/shared/.env)
  --admin-cnf FILE    connect with this option file instead of the app's account (the database
                      name still comes from the app's settings); default: $DB_ADMIN_CNF
  --no-safety-backup  skip the dump of the current data before the restore
  -h, --help          this text

Environment: EPICBOOK_ROOT (/srv/epicbook), BACKUP_DIR (safety dumps go there), MYSQL (mysql),
MYSQLDUMP (mysqldump).
EOF
}

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
enable_error_trap

assume_yes=false
safety_backup=true
admin_cnf=${DB_ADMIN_CNF:-}
dump=''
while [ $# -gt 0 ]; do
  case $1 in
    -y | --yes) assume_yes=true; shift ;;
    --env-file) [ $# -ge 2 ] || usage_error "--env-file needs a file"; ENV_FILE=$2; shift 2 ;;
    --env-file=*) ENV_FILE=${1#*=}; shift ;;
    --admin-cnf) [ $# -ge 2 ] || usage_error "--admin-cnf needs a file"; admin_cnf=$2; shift 2 ;;
    --admin-cnf=*) admin_cnf=${1#*=}; shift ;;
    --no-safety-backup) safety_backup=false; shift ;;
    -h | --help) usage; exit 0 ;;
    --) shift; [ $# -eq 1 ] || usage_error "expected one dump file"; dump=$1; shift ;;
    -*) usage_error "unknown option: $1" ;;
    *) [ -z "$dump" ] || usage_error "expected one dump file, got \"$dump\" and \"$1\""; dump=$1; shift ;;
  esac
done
[ -n "$dump" ] || usage_error "which dump? e.g. restore.sh $BACKUP_DIR/epicbook-bookstore-20250101T033000Z.sql.gz"

step "Check $dump"
{ [ -f "$dump" ] && [ -r "$dump" ]; } || die "no readable file at $dump"
case $dump in
  *.gz) reader=(gzip -dc -- "$dump"); gzip -t -- "$dump" || die "$dump is not a valid gzip file" ;;
  *) reader=(cat -- "$dump") ;;
esac
# The reader may be cut off by head (SIGPIPE); only what head saw matters.
header=$({ "${reader[@]}" 2>/dev/null || true; } | head -n 5)
grep -qE -- '^-- (MySQL|MariaDB) dump' <<<"$header" ||
  die "$dump does not look like a mysqldump file (no \"-- MySQL dump\" / \"-- MariaDB dump\" header)"
"${reader[@]}" | tail -n 1 | grep -q -- '-- Dump completed' ||
  die "$dump is incomplete (no \"Dump completed\" line at the end): refusing to load half a database"
info "a complete dump, $(du -h -- "$dump" | cut -f1)"

step "Read the database settings"
need_command "$MYSQL" "apt-get install mysql-client (or mariadb-client)"
load_db_settings
if [ -n "$admin_cnf" ]; then
  [ -r "$admin_cnf" ] || die "cannot read the admin option file $admin_cnf (run as root?)"
  cnf=$admin_cnf
  info "database $DB_NAME, as the account in $admin_cnf"
else
  write_client_cnf
  cnf=$DB_CNF
  info "database $DB_NAME on $DB_HOST:$DB_PORT as $DB_USER"
fi
"$MYSQL" --defaults-file="$cnf" --batch --skip-column-names -e 'SELECT 1' -- "$DB_NAME" >/dev/null ||
  die "cannot connect to database $DB_NAME with those settings"

step "Confirm"
if [ "$assume_yes" = true ]; then
  info "--yes given"
else
  [ -t 0 ] || die "refusing to restore without confirmation: not run from a terminal, pass --yes"
  printf 'This replaces the data in database "%s" with %s.\nType the database name to go on: ' "$DB_NAME" "$dump"
  read -r answer
  [ "$answer" = "$DB_NAME" ] || die "not confirmed; nothing was changed"
fi

if [ "$safety_backup" = true ]; then
  step "Safety dump of $DB_NAME as it is now"
  # --keep 0: pruning here could delete the very file about to be restored.
  "$(dirname "${BASH_SOURCE[0]}")/backup.sh" --keep 0 --dir "$BACKUP_DIR" --env-file "$ENV_FILE"
fi

step "Load $dump into $DB_NAME"
"${reader[@]}" | "$MYSQL" --defaults-file="$cnf" --batch -- "$DB_NAME" || {
  status=$?
  printf '%s: loading the dump failed (exit %s). If mysql said "command denied" for DROP or CREATE, the\n' "$SCRIPT_NAME" "$status" >&2
  printf '%s: account lacks those privileges: pass --admin-cnf with an administrator option file.\n' "$SCRIPT_NAME" >&2
  exit "$status"
}

step "Check the restored database"
tables=$("$MYSQL" --defaults-file="$cnf" --batch --skip-column-names \
  -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()" -- "$DB_NAME")
info "$tables table(s) in $DB_NAME"

step "Done: $DB_NAME restored from $dump"
