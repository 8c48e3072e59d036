/*
 * The system's SQLite header, for the system's libsqlite3 that better-sqlite3 links against (README.md
 * beside this file says why). better-sqlite3 names two result codes that SQLite added after Debian 12's
 * 3.40 (3.41's SQLITE_NOTICE_RBU, 3.45's SQLITE_IOERR_IN_PAGE) in its table of code names; an older
 * library never returns them, so their documented values are enough here.
 */
#include </usr/include/sqlite3.h>
#ifndef SQLITE_NOTICE_RBU
#define SQLITE_NOTICE_RBU (SQLITE_NOTICE | (3 << 8))
#endif
#ifndef SQLITE_IOERR_IN_PAGE
#define SQLITE_IOERR_IN_PAGE (SQLITE_IOERR | (34 << 8))
#endif
