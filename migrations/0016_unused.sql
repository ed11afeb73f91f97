-- This number's migration changes nothing.
SELECT 1;
