-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "assignedAt" TIMESTAMP(3),
ADD COLUMN     "assignedTo" TEXT;

-- AlterTable
ALTER TABLE "Finding" ADD COLUMN     "facts" TEXT;

-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "cardOutboxIds" TEXT;

-- CreateTable
CREATE TABLE "AppState" (
    "key" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AppState_pkey" PRIMARY KEY ("key")
);

