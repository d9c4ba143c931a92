-- AlterTable
ALTER TABLE "Alert" ADD COLUMN "cause" TEXT;
ALTER TABLE "Alert" ADD COLUMN "quote" TEXT;

