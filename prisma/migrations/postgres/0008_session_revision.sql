-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "revision" INTEGER NOT NULL DEFAULT 0;

