-- AlterTable
ALTER TABLE "Session" ADD COLUMN "assignedAt" DATETIME;
ALTER TABLE "Session" ADD COLUMN "assignedTo" TEXT;

-- AlterTable
ALTER TABLE "Finding" ADD COLUMN "facts" TEXT;

-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "cardOutboxIds" TEXT;

-- CreateTable
CREATE TABLE "AppState" (
    "key" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

