-- CreateTable
CREATE TABLE "MessageScore" (
    "messageId" TEXT NOT NULL PRIMARY KEY,
    "sessionId" TEXT NOT NULL,
    "lang" TEXT NOT NULL,
    "valence" REAL NOT NULL,
    "intensity" REAL NOT NULL,
    "category" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "escalation" TEXT,
    "source" TEXT NOT NULL DEFAULT 'offline',
    "llmStatus" TEXT NOT NULL DEFAULT 'skipped',
    "llmAttempts" INTEGER NOT NULL DEFAULT 0,
    "llmResult" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "MessageScore_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "RuleHit" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "sessionId" TEXT NOT NULL,
    "messageId" TEXT,
    "ruleId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "lesson" TEXT,
    "source" TEXT NOT NULL DEFAULT 'rules',
    "at" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "RuleHit_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "channel" TEXT NOT NULL,
    "externalKey" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'open',
    "stage" TEXT,
    "openedAt" DATETIME NOT NULL,
    "lastMessageAt" DATETIME NOT NULL,
    "lastCustomerAt" DATETIME,
    "lastAgentAt" DATETIME,
    "closedAt" DATETIME,
    "closeReason" TEXT,
    "messageCount" INTEGER NOT NULL DEFAULT 0,
    "customerId" TEXT,
    "agentId" TEXT,
    "meta" TEXT,
    "qaScore" REAL,
    "valenceAvg" REAL,
    "valenceMin" REAL,
    "valenceLast" REAL,
    "negativeTurns" INTEGER NOT NULL DEFAULT 0,
    "escalationKinds" TEXT,
    "empathyCount" INTEGER NOT NULL DEFAULT 0,
    "warmAddressCount" INTEGER NOT NULL DEFAULT 0,
    "ruleHitCount" INTEGER NOT NULL DEFAULT 0,
    "firstResponseSecs" REAL
);
INSERT INTO "new_Session" ("agentId", "channel", "closeReason", "closedAt", "customerId", "externalKey", "id", "lastAgentAt", "lastCustomerAt", "lastMessageAt", "messageCount", "meta", "openedAt", "stage", "status") SELECT "agentId", "channel", "closeReason", "closedAt", "customerId", "externalKey", "id", "lastAgentAt", "lastCustomerAt", "lastMessageAt", "messageCount", "meta", "openedAt", "stage", "status" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE INDEX "Session_channel_externalKey_status_idx" ON "Session"("channel", "externalKey", "status");
CREATE INDEX "Session_lastMessageAt_idx" ON "Session"("lastMessageAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "MessageScore_sessionId_idx" ON "MessageScore"("sessionId");

-- CreateIndex
CREATE INDEX "MessageScore_llmStatus_idx" ON "MessageScore"("llmStatus");

-- CreateIndex
CREATE INDEX "RuleHit_sessionId_idx" ON "RuleHit"("sessionId");

-- CreateIndex
CREATE INDEX "RuleHit_kind_at_idx" ON "RuleHit"("kind", "at");

