-- TheEpicBook: the MySQL 8 / MariaDB 10.11 schema, for creating the database by hand:
--   mysql bookstore < db/schema.sql
-- It matches what the app's migrations build (test/integration/mysql.test.ts compares the two), and
-- records those migrations as applied, so the app starts on it without changing anything.
-- Safe to run again: every statement skips what already exists. It is for a new database: an
-- existing one is upgraded by the app's migrations (`npm run db:migrate`), never by this file.

SET NAMES utf8mb4;

CREATE TABLE IF NOT EXISTS `SequelizeMeta` (
  `name` varchar(255) NOT NULL,
  PRIMARY KEY (`name`),
  UNIQUE KEY `name` (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_unicode_ci;

CREATE TABLE IF NOT EXISTS `Authors` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `firstName` varchar(100) NOT NULL,
  `lastName` varchar(100) NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `authors_name_unique` (`lastName`, `firstName`),
  FULLTEXT KEY `authors_search` (`firstName`, `lastName`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE IF NOT EXISTS `Books` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `title` varchar(255) NOT NULL,
  `genre` varchar(60) NOT NULL,
  `pubYear` int(11) DEFAULT NULL,
  `price` decimal(10,2) NOT NULL,
  `inventory` int(11) NOT NULL DEFAULT 0,
  `bookDescription` text DEFAULT NULL,
  `AuthorId` int(11) NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  -- Set when a book that past orders point at is removed: hidden from the store, kept for history.
  `removedAt` datetime DEFAULT NULL,
  -- The MIME type of an uploaded cover (in BookCovers), or NULL for the generated one.
  `coverType` varchar(16) DEFAULT NULL,
  -- Sales rollups over orders not cancelled, kept by checkout and cancellation (for the dashboard).
  `copiesSold` int(11) NOT NULL DEFAULT 0,
  `salesRevenue` decimal(12,2) NOT NULL DEFAULT 0.00,
  -- The author's name copied for full-text search; the app rewrites it when the author changes.
  `authorName` varchar(201) DEFAULT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `books_title_author_unique` (`title`, `AuthorId`),
  KEY `books_author` (`AuthorId`),
  -- One index per listing order, store-wide and per category (see db/migrations/0003-catalog-scale.ts).
  KEY `books_listed_title` (`removedAt`, `title`),
  KEY `books_listed_price` (`removedAt`, `price`, `title`),
  KEY `books_listed_price_desc` (`removedAt`, `price` DESC, `title`),
  KEY `books_listed_year` (`removedAt`, `pubYear`, `title`),
  KEY `books_listed_year_desc` (`removedAt`, `pubYear` DESC, `title`),
  KEY `books_genre_listed_title` (`genre`, `removedAt`, `title`),
  KEY `books_genre_listed_price` (`genre`, `removedAt`, `price`, `title`),
  KEY `books_genre_listed_price_desc` (`genre`, `removedAt`, `price` DESC, `title`),
  KEY `books_genre_listed_year` (`genre`, `removedAt`, `pubYear`, `title`),
  KEY `books_genre_listed_year_desc` (`genre`, `removedAt`, `pubYear` DESC, `title`),
  KEY `books_listed_genre` (`removedAt`, `genre`),
  KEY `books_genre_newest` (`genre`, `pubYear`),
  KEY `books_title` (`title`),
  KEY `books_stock_title` (`inventory`, `title`),
  KEY `books_best_sellers` (`copiesSold` DESC, `salesRevenue` DESC),
  -- The store's search (title, author, description) and the admin list's (title, author).
  FULLTEXT KEY `books_search` (`title`, `authorName`, `bookDescription`),
  FULLTEXT KEY `books_search_admin` (`title`, `authorName`),
  CONSTRAINT `Books_ibfk_1` FOREIGN KEY (`AuthorId`) REFERENCES `Authors` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shoppers' and admins' accounts; the email is stored lower-cased, the password only as a scrypt hash.
CREATE TABLE IF NOT EXISTS `Users` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `name` varchar(100) NOT NULL,
  `email` varchar(254) NOT NULL,
  `passwordHash` varchar(255) NOT NULL,
  `role` varchar(16) NOT NULL DEFAULT 'shopper',
  `cartKey` varchar(64) NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_email_unique` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A shopper's cart; ownerKey is the random key in that shopper's session.
CREATE TABLE IF NOT EXISTS `Carts` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `ownerKey` varchar(64) NOT NULL,
  `status` varchar(16) NOT NULL DEFAULT 'open',
  `totalQuantity` int(11) NOT NULL DEFAULT 0,
  `totalPrice` decimal(10,2) NOT NULL DEFAULT 0.00,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `carts_owner_status` (`ownerKey`, `status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One book in one cart; its unitPrice is frozen when the cart is ordered.
CREATE TABLE IF NOT EXISTS `Cartbooks` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `CartId` int(11) NOT NULL,
  `BookId` int(11) NOT NULL,
  `quantity` int(11) NOT NULL,
  `unitPrice` decimal(10,2) NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `cartbooks_cart_book_unique` (`CartId`, `BookId`),
  KEY `cartbooks_book` (`BookId`),
  CONSTRAINT `Cartbooks_ibfk_1` FOREIGN KEY (`CartId`) REFERENCES `Carts` (`id`) ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT `Cartbooks_ibfk_2` FOREIGN KEY (`BookId`) REFERENCES `Books` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A placed order: the shipping details and the cart it bought.
CREATE TABLE IF NOT EXISTS `Checkouts` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `CartId` int(11) NOT NULL,
  `fullName` varchar(120) NOT NULL,
  `email` varchar(254) NOT NULL,
  `addressLine1` varchar(120) NOT NULL,
  `addressLine2` varchar(120) DEFAULT NULL,
  `city` varchar(80) NOT NULL,
  `state` varchar(80) NOT NULL,
  `zipCode` varchar(16) NOT NULL,
  `subTotal` decimal(10,2) NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  -- The account that placed the order; NULL for a guest.
  `UserId` int(11) DEFAULT NULL,
  -- placed, shipped, delivered or cancelled.
  `status` varchar(16) NOT NULL DEFAULT 'placed',
  PRIMARY KEY (`id`),
  UNIQUE KEY `checkouts_cart_unique` (`CartId`),
  KEY `checkouts_created` (`createdAt`),
  KEY `checkouts_user_created` (`UserId`, `createdAt`),
  KEY `checkouts_status_created` (`status`, `createdAt`),
  CONSTRAINT `Checkouts_UserId_foreign_idx` FOREIGN KEY (`UserId`) REFERENCES `Users` (`id`) ON DELETE SET NULL ON UPDATE CASCADE,
  CONSTRAINT `Checkouts_ibfk_1` FOREIGN KEY (`CartId`) REFERENCES `Carts` (`id`) ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Shopper sessions (read and written by connect-session-sequelize).
CREATE TABLE IF NOT EXISTS `Sessions` (
  `sid` varchar(36) NOT NULL,
  `expires` datetime DEFAULT NULL,
  `data` text DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`sid`),
  KEY `sessions_expires` (`expires`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Uploaded cover images, served at /books/:id/cover.(png|jpg|webp).
CREATE TABLE IF NOT EXISTS `BookCovers` (
  `BookId` int(11) NOT NULL,
  `mimeType` varchar(16) NOT NULL,
  `data` mediumblob NOT NULL,
  `createdAt` datetime NOT NULL,
  `updatedAt` datetime NOT NULL,
  PRIMARY KEY (`BookId`),
  CONSTRAINT `BookCovers_ibfk_1` FOREIGN KEY (`BookId`) REFERENCES `Books` (`id`) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every change an admin makes: who, what, when.
CREATE TABLE IF NOT EXISTS `AuditLogs` (
  `id` int(11) NOT NULL AUTO_INCREMENT,
  `UserId` int(11) DEFAULT NULL,
  `actorEmail` varchar(254) NOT NULL,
  `action` varchar(40) NOT NULL,
  `entityType` varchar(20) NOT NULL,
  `entityId` int(11) DEFAULT NULL,
  `summary` varchar(500) NOT NULL,
  `details` text DEFAULT NULL,
  `createdAt` datetime NOT NULL,
  PRIMARY KEY (`id`),
  KEY `UserId` (`UserId`),
  KEY `audit_logs_created` (`createdAt`),
  KEY `audit_logs_entity` (`entityType`, `entityId`),
  KEY `audit_logs_type_created` (`entityType`, `createdAt`),
  CONSTRAINT `AuditLogs_ibfk_1` FOREIGN KEY (`UserId`) REFERENCES `Users` (`id`) ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Orders and revenue per UTC day and status, kept by checkout and status changes (for the dashboard
-- and the admin order list's counts).
CREATE TABLE IF NOT EXISTS `DailySales` (
  `day` varchar(10) NOT NULL,
  `status` varchar(16) NOT NULL,
  `orders` int(11) NOT NULL DEFAULT 0,
  `revenue` decimal(14,2) NOT NULL DEFAULT 0.00,
  PRIMARY KEY (`day`, `status`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Failed sign-in counters shared by every app process (rate-limiter-flexible's MySQL layout).
CREATE TABLE IF NOT EXISTS `RateLimits` (
  `key` varchar(255) NOT NULL,
  `points` int(11) NOT NULL DEFAULT 0,
  `expire` bigint(20) unsigned DEFAULT NULL,
  PRIMARY KEY (`key`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Version stamps of what each app process caches (services/catalog-cache.ts); changes bump them.
CREATE TABLE IF NOT EXISTS `CacheStamps` (
  `name` varchar(40) NOT NULL,
  `version` bigint(20) NOT NULL DEFAULT 0,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO `CacheStamps` (`name`, `version`) VALUES ('catalog', 0), ('stock', 0);

INSERT IGNORE INTO `SequelizeMeta` (`name`) VALUES ('0001-initial-schema'), ('0002-accounts-admin'), ('0003-catalog-scale'), ('0004-book-search'), ('0005-cache-stamps'), ('0006-stock-stamp'), ('0007-author-search'), ('0008-title-prefix');
