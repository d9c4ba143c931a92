-- CreateIndex
CREATE INDEX "OutboxMessage_dependsOnId_status_idx" ON "OutboxMessage"("dependsOnId", "status");

-- CreateIndex
CREATE INDEX "Finding_alertId_idx" ON "Finding"("alertId");

-- CreateIndex
CREATE INDEX "Hint_sessionId_refId_idx" ON "Hint"("sessionId", "refId");

-- CreateIndex
CREATE INDEX "Hint_sessionId_status_createdAt_idx" ON "Hint"("sessionId", "status", "createdAt");

