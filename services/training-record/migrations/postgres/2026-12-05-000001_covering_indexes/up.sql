-- SQLite's person-record indexes now cover the catch-up read. PostgreSQL keeps its own:
-- an index-only scan needs pages marked all-visible, which rows updated by every
-- progress report seldom are, and an index on the watched seconds would stop those
-- updates from being HOT. A migration of the same name keeps both sets aligned.
SELECT 1;
