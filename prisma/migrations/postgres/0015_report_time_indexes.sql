-- CreateIndex
CREATE INDEX "Session_openedAt_idx" ON "Session"("openedAt");

-- CreateIndex
CREATE INDEX "Message_sentAt_idx" ON "Message"("sentAt");

-- CreateIndex
CREATE INDEX "RuleHit_at_idx" ON "RuleHit"("at");

-- CreateIndex
CREATE INDEX "Alert_createdAt_idx" ON "Alert"("createdAt");

-- CreateIndex
CREATE INDEX "Hint_createdAt_idx" ON "Hint"("createdAt");

