-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "awaitingSince" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL,
    "openId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "csrf" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ConsoleSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateTable
CREATE TABLE "ConsoleLoginState" (
    "stateHash" TEXT NOT NULL,
    "browserHash" TEXT NOT NULL,
    "next" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),

    CONSTRAINT "ConsoleLoginState_pkey" PRIMARY KEY ("stateHash")
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
