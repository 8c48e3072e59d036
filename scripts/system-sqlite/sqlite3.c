/* Empty on purpose: better-sqlite3 is linked against the system's libsqlite3 (see README.md beside this file). */
