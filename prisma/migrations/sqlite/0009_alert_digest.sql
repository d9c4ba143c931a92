-- CreateTable
CREATE TABLE "AlertDigest" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "target" TEXT NOT NULL,
    "openedAt" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,
    "alertIds" TEXT NOT NULL,
    "createOutboxId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 0
);

-- CreateIndex
CREATE INDEX "AlertDigest_target_updatedAt_idx" ON "AlertDigest"("target", "updatedAt");

