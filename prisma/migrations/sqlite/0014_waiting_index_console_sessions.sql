-- AlterTable
ALTER TABLE "Session" ADD COLUMN "awaitingSince" DATETIME;

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "openId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "csrf" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME
);

-- CreateTable
CREATE TABLE "ConsoleLoginState" (
    "stateHash" TEXT NOT NULL PRIMARY KEY,
    "browserHash" TEXT NOT NULL,
    "next" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL,
    "usedAt" DATETIME
);

-- CreateIndex
CREATE INDEX "ConsoleSession_openId_idx" ON "ConsoleSession"("openId");

-- CreateIndex
CREATE INDEX "ConsoleSession_expiresAt_idx" ON "ConsoleSession"("expiresAt");

-- CreateIndex
CREATE INDEX "ConsoleLoginState_createdAt_idx" ON "ConsoleLoginState"("createdAt");

-- CreateIndex
CREATE INDEX "Session_status_awaitingSince_idx" ON "Session"("status", "awaitingSince");


-- Backfill: open sessions whose customer wrote after the agent are waiting since then.
UPDATE "Session" SET "awaitingSince" = "lastCustomerAt" WHERE "status" = 'open' AND "lastCustomerAt" IS NOT NULL AND ("lastAgentAt" IS NULL OR "lastAgentAt" < "lastCustomerAt");
