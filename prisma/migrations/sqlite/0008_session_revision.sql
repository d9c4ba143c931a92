-- AlterTable (a plain ADD COLUMN: SQLite needs no table rebuild for a column with a constant default)
ALTER TABLE "Session" ADD COLUMN "revision" INTEGER NOT NULL DEFAULT 0;
