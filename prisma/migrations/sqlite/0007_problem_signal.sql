-- AlterTable
ALTER TABLE "MessageScore" ADD COLUMN "problem" REAL NOT NULL DEFAULT 0;
