-- CreateTable
CREATE TABLE "ReportRun" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "kind" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'claimed',
    "instance" TEXT NOT NULL,
    "outboxId" INTEGER,
    "summary" TEXT,
    "claimedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "postedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "ReportRun_kind_day_key" ON "ReportRun"("kind", "day");

