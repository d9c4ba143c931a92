-- CreateTable
CREATE TABLE "AlertDigest" (
    "id" SERIAL NOT NULL,
    "target" TEXT NOT NULL,
    "openedAt" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "alertIds" TEXT NOT NULL,
    "createOutboxId" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "AlertDigest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AlertDigest_target_updatedAt_idx" ON "AlertDigest"("target", "updatedAt");

