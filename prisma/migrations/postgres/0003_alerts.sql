-- CreateTable
CREATE TABLE "Finding" (
    "id" SERIAL NOT NULL,
    "dedupKey" TEXT NOT NULL,
    "sessionId" TEXT NOT NULL,
    "messageId" TEXT,
    "detector" TEXT NOT NULL,
    "severity" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "evidence" TEXT NOT NULL,
    "alertId" INTEGER,
    "at" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Finding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Alert" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL DEFAULT 'session',
    "sessionId" TEXT,
    "agentId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'open',
    "severity" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "findingCount" INTEGER NOT NULL DEFAULT 0,
    "createOutboxId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "snoozedUntil" TIMESTAMP(3),
    "actedBy" TEXT,
    "actedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Alert_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertFeedback" (
    "id" SERIAL NOT NULL,
    "alertId" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AlertFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Finding_dedupKey_key" ON "Finding"("dedupKey");

-- CreateIndex
CREATE INDEX "Finding_sessionId_idx" ON "Finding"("sessionId");

-- CreateIndex
CREATE INDEX "Alert_sessionId_createdAt_idx" ON "Alert"("sessionId", "createdAt");

-- CreateIndex
CREATE INDEX "Alert_agentId_createdAt_idx" ON "Alert"("agentId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AlertFeedback_eventId_key" ON "AlertFeedback"("eventId");

-- AddForeignKey
ALTER TABLE "Finding" ADD CONSTRAINT "Finding_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_sessionId_fkey" FOREIGN KEY ("sessionId") REFERENCES "Session"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertFeedback" ADD CONSTRAINT "AlertFeedback_alertId_fkey" FOREIGN KEY ("alertId") REFERENCES "Alert"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

