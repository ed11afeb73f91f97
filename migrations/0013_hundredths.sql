-- Points may have up to two decimals (0.5, 135.4), kept exact as integers of hundredths
-- (scoring/points.py): every stored number of points is multiplied by 100 here, the ledger's
-- lines, the records' given points (adjustments, settled credits) and the kept sums alike. The
-- chain still verifies: a line's hash covers its points as the decimal they are, which for the
-- whole numbers stored until now is what they were hashed with (bot/storage/chain.py).
DROP TRIGGER ledger_no_update;
UPDATE ledger SET points = points * 100;
CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger
BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;

UPDATE records SET points = points * 100 WHERE points IS NOT NULL;

-- The sums' guards let through only writes made with the marker row, as the ledger's own
-- triggers make them.
INSERT INTO ledger_sums_writer (one) VALUES (1);
UPDATE ledger_months SET c0 = c0 * 100, c1 = c1 * 100, c2 = c2 * 100, c3 = c3 * 100,
    c4 = c4 * 100, c5 = c5 * 100, c6 = c6 * 100, c7 = c7 * 100;
UPDATE ledger_quarters SET c0 = c0 * 100, c1 = c1 * 100, c2 = c2 * 100, c3 = c3 * 100,
    c4 = c4 * 100, c5 = c5 * 100, c6 = c6 * 100, c7 = c7 * 100;
DELETE FROM ledger_sums_writer;
