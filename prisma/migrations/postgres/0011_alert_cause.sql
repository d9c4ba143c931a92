-- AlterTable
ALTER TABLE "Alert" ADD COLUMN     "cause" TEXT,
ADD COLUMN     "quote" TEXT;

