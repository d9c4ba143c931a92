-- CreateTable
CREATE TABLE "Hint" (
    "id" SERIAL NOT NULL,
    "sessionId" TEXT NOT NULL,
    "messageId" TEXT,
    "agentId" TEXT,
    "kind" TEXT NOT NULL,
    "refId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "content" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "reason" TEXT,
    "outboxId" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Hint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HintFeedback" (
    "id" SERIAL NOT NULL,
    "hintId" INTEGER NOT NULL,
    "useful" BOOLEAN NOT NULL,
    "operatorId" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "HintFeedback_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Hint_sessionId_idx" ON "Hint"("sessionId");

-- CreateIndex
CREATE INDEX "Hint_agentId_createdAt_idx" ON "Hint"("agentId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "HintFeedback_eventId_key" ON "HintFeedback"("eventId");

-- AddForeignKey
ALTER TABLE "HintFeedback" ADD CONSTRAINT "HintFeedback_hintId_fkey" FOREIGN KEY ("hintId") REFERENCES "Hint"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

