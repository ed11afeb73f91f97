-- Points may have up to two decimals (0.5, 135.4), kept exact as integers of hundredths
-- (scoring/points.py): every stored number of points is multiplied by 100 here, the ledger's
-- lines, the records' given points (adjustments, settled credits) and the kept sums alike. The
-- chain still verifies: a line's hash covers its points as the decimal they are, which for the
-- whole numbers stored until now is what they were hashed with (bot/storage/chain.py).
-- The guards that keep the ledger append-only and the sums following it are set aside for
-- this one transaction only.
ALTER TABLE ledger DISABLE TRIGGER ledger_no_update;
UPDATE ledger SET points = points * 100;
ALTER TABLE ledger ENABLE TRIGGER ledger_no_update;

UPDATE records SET points = points * 100 WHERE points IS NOT NULL;

ALTER TABLE ledger_months DISABLE TRIGGER ledger_months_guard;
UPDATE ledger_months SET c0 = c0 * 100, c1 = c1 * 100, c2 = c2 * 100, c3 = c3 * 100,
    c4 = c4 * 100, c5 = c5 * 100, c6 = c6 * 100, c7 = c7 * 100;
ALTER TABLE ledger_months ENABLE TRIGGER ledger_months_guard;
ALTER TABLE ledger_quarters DISABLE TRIGGER ledger_quarters_guard;
UPDATE ledger_quarters SET c0 = c0 * 100, c1 = c1 * 100, c2 = c2 * 100, c3 = c3 * 100,
    c4 = c4 * 100, c5 = c5 * 100, c6 = c6 * 100, c7 = c7 * 100;
ALTER TABLE ledger_quarters ENABLE TRIGGER ledger_quarters_guard;
