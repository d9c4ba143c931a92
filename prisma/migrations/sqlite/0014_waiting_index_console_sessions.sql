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


-- Backfill: an open session's customer is waiting since their first message after the agent last spoke.
UPDATE "Session" SET "awaitingSince" = (
  SELECT MIN(m."sentAt") FROM "Message" m
  WHERE m."sessionId" = "Session"."id" AND m."role" = 'customer' AND ("Session"."lastAgentAt" IS NULL OR m."sentAt" > "Session"."lastAgentAt")
) WHERE "status" = 'open' AND "lastCustomerAt" IS NOT NULL AND ("lastAgentAt" IS NULL OR "lastAgentAt" < "lastCustomerAt");
