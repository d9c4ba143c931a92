-- CreateTable
CREATE TABLE "ConsoleUser" (
    "openId" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "role" TEXT NOT NULL,
    "lastSignInAt" DATETIME NOT NULL
);

