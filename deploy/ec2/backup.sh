#!/usr/bin/env bash
# Dumps TheEpicBook's MySQL database to a gzipped, timestamped file and keeps the newest N dumps.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: backup.sh [--keep N] [--dir DIR] [--env-file FILE]

Dumps the app's MySQL/MariaDB database (mysqldump --single-transaction --routines --triggers,
gzip) to DIR/epicbook-<database>-<UTC time>.sql.gz, checks the file, then deletes the oldest
dumps of that database beyond the newest N. The shop stays open: InnoDB tables are read from one
consistent snapshot, nothing is locked.

The connection comes from the app's settings (DATABASE_URL, or DB_HOST/DB_PORT/DB_USER/
DB_PASSWORD/DB_NAME) in the environment or in the .env file; the password reaches mysqldump only
through a temporary option file of mode 600, never on its command line.

Options:
  --keep N         dumps to keep, 0 = keep all (default: $BACKUP_KEEP or 14)
  --dir DIR        where dumps go (default: $BACKUP_DIR or /srv/epicbook/backups)
  --env-file FILE  the app's .env (default: $ENV_FILE or /srv/epicbook/shared/.env)
  -h, --help       this text

Environment: EPICBOOK_ROOT (/srv/epicbook), MYSQLDUMP (mysqldump).
Run it daily from cron, e.g. /etc/cron.d/epicbook-backup:
  30 3 * * * root /srv/epicbook/current/deploy/ec2/backup.sh 2>&1 | logger -t epicbook-backup
(journalctl -t epicbook-backup shows the runs; copy the dumps off the host too, e.g. to S3.)
EOF
}

# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
enable_error_trap

keep=${BACKUP_KEEP:-14}
while [ $# -gt 0 ]; do
  case $1 in
    --keep) [ $# -ge 2 ] || usage_error "--keep needs a number"; keep=$2; shift 2 ;;
    --keep=*) keep=${1#*=}; shift ;;
    --dir) [ $# -ge 2 ] || usage_error "--dir needs a directory"; BACKUP_DIR=$2; shift 2 ;;
    --dir=*) BACKUP_DIR=${1#*=}; shift ;;
    --env-file) [ $# -ge 2 ] || usage_error "--env-file needs a file"; ENV_FILE=$2; shift 2 ;;
    --env-file=*) ENV_FILE=${1#*=}; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
positive_integer "$keep" 0 || usage_error "--keep must be a whole number (0 keeps every dump), not \"$keep\""
keep=$((10#$keep))

step "Read the database settings"
need_command "$MYSQLDUMP" "apt-get install mysql-client (or mariadb-client)"
need_command gzip
load_db_settings
info "database $DB_NAME on $DB_HOST:$DB_PORT as $DB_USER"
write_client_cnf
cnf=$DB_CNF

step "Dump $DB_NAME"
# Dumps are the whole store (accounts, orders): only their owner may read them.
umask 077
mkdir -p -- "$BACKUP_DIR"
prefix="epicbook-$DB_NAME-"
name="$prefix$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
while [ -e "$BACKUP_DIR/$name" ]; do
  # Names sort in time order and must stay unique; a second dump in the same second waits.
  sleep 1
  name="$prefix$(date -u +%Y%m%dT%H%M%SZ).sql.gz"
done
target="$BACKUP_DIR/$name"
partial="$target.partial"
TEMP_PATHS+=("$partial")
mapfile -t extra < <(mysqldump_version_options)
# --no-tablespaces: MySQL 8 wants the PROCESS privilege for tablespaces, which the app account
# lacks and the app does not use. --skip-add-locks: no LOCK TABLES in the file, so loading it needs
# no LOCK TABLES privilege either. --hex-blob: uploaded covers survive any client character set.
"$MYSQLDUMP" --defaults-file="$cnf" \
  --single-transaction --routines --triggers --no-tablespaces --skip-add-locks --hex-blob \
  "${extra[@]}" -- "$DB_NAME" | gzip -c >"$partial"

step "Check the dump"
gzip -t "$partial"
# mysqldump writes this line last, and only when it got to the end.
gzip -dc "$partial" | tail -n 1 | grep -q -- '-- Dump completed' ||
  die "the dump of $DB_NAME is incomplete (no \"Dump completed\" line); $target was not written"
mv -- "$partial" "$target"
info "$target ($(du -h -- "$target" | cut -f1))"

if [ "$keep" -eq 0 ]; then
  step "Keep every dump of $DB_NAME (--keep 0)"
else
  step "Keep the newest $keep dump(s) of $DB_NAME"
  mapfile -t dumps < <(find "$BACKUP_DIR" -maxdepth 1 -type f -name "$prefix*.sql.gz" -printf '%f\n' | LC_ALL=C sort)
  excess=$((${#dumps[@]} - keep))
  for ((i = 0; i < excess; i++)); do
    rm -f -- "${BACKUP_DIR:?}/${dumps[i]}"
    info "deleted ${dumps[i]}"
  done
  [ "$excess" -gt 0 ] || info "nothing to delete (${#dumps[@]} dump(s))"
fi

step "Done: $target"
