#!/usr/bin/env sh
# Runs npm (`install.sh ci`, `install.sh install`, ...) so that both SQLite drivers are built against
# the system's libsqlite3 (Debian: libsqlite3-dev, build-essential, python3): sqlite3 for Sequelize,
# better-sqlite3 for the hot paths' plain SQL. One process may only open a file through one copy of
# SQLite (db/sqlite-library.ts says why); with two, the app keeps its plain SQL on sqlite3 and logs so.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# sqlite3: link /usr's libsqlite3 instead of a prebuilt binary with its own copy.
export npm_config_sqlite=/usr
# better-sqlite3: the "custom amalgamation" here is the system's header and an empty source file,
# and the link pulls in the system's library (--no-as-needed: nothing in that empty file uses it).
export npm_config_sqlite3="$here"
export LDFLAGS="${LDFLAGS:+$LDFLAGS }-Wl,--no-as-needed -lsqlite3"
# Never a prebuilt binary: each bundles SQLite.
export npm_config_build_from_source=true
exec npm "$@"
