#!/usr/bin/env bash
# A private MariaDB for the test suite: no systemd, its own data dir and port, nothing else touched.
#   eval "$(scripts/mariadb-test-server.sh start)"   # starts it and prints `export TEST_MYSQL_URL=...`
#   scripts/mariadb-test-server.sh stop
set -euo pipefail

dir="${MARIADB_TEST_DIR:-${TMPDIR:-/tmp}/epicbook-mariadb}"
port="${MARIADB_TEST_PORT:-3307}"
user=epicbook_test
password=epicbook_test_pw
socket="$dir/mysqld.sock"

fail() { echo "mariadb-test-server: $*" >&2; exit 1; }

start() {
  command -v mariadbd >/dev/null || command -v mysqld >/dev/null ||
    fail "MariaDB is not installed (apt-get install -y mariadb-server mariadb-client)"
  local server; server=$(command -v mariadbd || command -v mysqld)
  local run_as=(); [ "$(id -u)" = 0 ] && run_as=(--user=root)
  if [ -S "$socket" ] && mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1; then
    echo "export TEST_MYSQL_URL=mysql://$user:$password@127.0.0.1:$port/epicbook_test"
    return
  fi
  mkdir -p "$dir"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --datadir="$dir/data" "${run_as[@]}" --auth-root-authentication-method=socket \
      >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; fail "mariadb-install-db failed"; }
  fi
  "$server" --no-defaults --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 --socket="$socket" \
    --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" "${run_as[@]}" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci --innodb-flush-log-at-trx-commit=2 \
    --skip-log-bin >/dev/null 2>&1 &
  for _ in $(seq 1 100); do
    mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  mariadb-admin --no-defaults --socket="$socket" -uroot ping >/dev/null 2>&1 || { cat "$dir/error.log" >&2; fail "server did not start"; }
  # The test user may create and drop only the suite's own databases (epicbook_test_*).
  mariadb --no-defaults --socket="$socket" -uroot <<SQL
CREATE USER IF NOT EXISTS '$user'@'127.0.0.1' IDENTIFIED BY '$password';
CREATE USER IF NOT EXISTS '$user'@'localhost' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`epicbook\\_test%\`.* TO '$user'@'127.0.0.1';
GRANT ALL PRIVILEGES ON \`epicbook\\_test%\`.* TO '$user'@'localhost';
CREATE DATABASE IF NOT EXISTS epicbook_test CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
SQL
  echo "export TEST_MYSQL_URL=mysql://$user:$password@127.0.0.1:$port/epicbook_test"
}

stop() {
  [ -f "$dir/mysqld.pid" ] || return 0
  kill "$(cat "$dir/mysqld.pid")" 2>/dev/null || true
  for _ in $(seq 1 100); do [ -f "$dir/mysqld.pid" ] || break; sleep 0.1; done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
