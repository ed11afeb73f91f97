-- Units over time (机构改革): each rename, merge, retirement and move of a unit, dated from the
-- first day it holds. The units table keeps each unit as it is now; the rows here say how it
-- was before, so that a period is listed with its units as they were at its end. They are also
-- the audit trail of these changes: who made each and when. A database made before this has
-- no rows here: its units are as they always were.
CREATE TABLE unit_changes (
    id         INTEGER PRIMARY KEY,
    unit_id    INTEGER NOT NULL REFERENCES units (id),
    change     TEXT NOT NULL CHECK (change IN ('rename', 'merge', 'retire', 'move')),
    start      TEXT NOT NULL,
    -- The name (rename) or group (move) before and after; empty for a merge or retirement.
    old_value  TEXT NOT NULL DEFAULT '',
    new_value  TEXT NOT NULL DEFAULT '',
    -- The surviving unit of a merge.
    into_unit  INTEGER REFERENCES units (id),
    actor      TEXT NOT NULL,
    at         TEXT NOT NULL
);
CREATE INDEX unit_changes_unit ON unit_changes (unit_id, start);
