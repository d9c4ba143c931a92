-- CreateTable
CREATE TABLE "JudgementLabel" (
    "id" SERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "targetId" INTEGER NOT NULL,
    "sessionId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "verdict" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "byOpenId" TEXT NOT NULL,
    "byRole" TEXT NOT NULL,
    "note" TEXT,
    "resolvedBy" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "JudgementLabel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "JudgementLabel_sessionId_idx" ON "JudgementLabel"("sessionId");

-- CreateIndex
CREATE INDEX "JudgementLabel_target_kind_idx" ON "JudgementLabel"("target", "kind");

