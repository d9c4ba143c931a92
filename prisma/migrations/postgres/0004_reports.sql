-- CreateTable
CREATE TABLE "ReportRun" (
    "id" SERIAL NOT NULL,
    "kind" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "instance" TEXT NOT NULL,
    "outboxId" INTEGER,
    "summary" TEXT,
    "claimedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" TIMESTAMP(3),

    CONSTRAINT "ReportRun_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReportRun_kind_day_key" ON "ReportRun"("kind", "day");

