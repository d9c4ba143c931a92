-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "empathyCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "escalationKinds" TEXT,
ADD COLUMN     "firstResponseSecs" DOUBLE PRECISION,
ADD COLUMN     "negativeTurns" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "qaScore" DOUBLE PRECISION,
ADD COLUMN     "ruleHitCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "valenceAvg" DOUBLE PRECISION,
ADD COLUMN     "valenceLast" DOUBLE PRECISION,
ADD COLUMN     "valenceMin" DOUBLE PRECISION,
ADD COLUMN     "warmAddressCount" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "MessageScore" (
    "messageId" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "lang" TEXT NOT NULL,
    "valence" DOUBLE PRECISION NOT NULL,
    "intensity" DOUBLE PRECISION NOT NULL,
    "category" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "escalation" TEXT,
    "source" TEXT NOT NULL DEFAULT 'offline',
    "llmStatus" TEXT NOT NULL DEFAULT 'skipped',
    "llmAttempts" INTEGER NOT NULL DEFAULT 0,
    "llmResult" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MessageScore_pkey" PRIMARY KEY ("messageId")
);

-- CreateTable
CREATE TABLE "RuleHit" (
    "id" SERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "messageId" TEXT,
    "ruleId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "lesson" TEXT,
    "source" TEXT NOT NULL DEFAULT 'rules',
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RuleHit_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "MessageScore_sessionId_idx" ON "MessageScore"("sessionId");

-- CreateIndex
CREATE INDEX "MessageScore_llmStatus_idx" ON "MessageScore"("llmStatus");

-- CreateIndex
CREATE INDEX "RuleHit_sessionId_idx" ON "RuleHit"("sessionId");

-- CreateIndex
CREATE INDEX "RuleHit_kind_at_idx" ON "RuleHit"("kind", "at");

-- AddForeignKey
ALTER TABLE "MessageScore" ADD CONSTRAINT "MessageScore_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "Message"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RuleHit" ADD CONSTRAINT "RuleHit_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

