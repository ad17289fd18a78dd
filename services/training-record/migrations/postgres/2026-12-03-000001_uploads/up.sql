-- Resumable (tus) uploads under way: what is received so far, and the SHA-256 state that
-- continues from it, so a resumed upload is never read again from the start.
CREATE TABLE uploads (
    upload_id TEXT PRIMARY KEY NOT NULL,
    session_id TEXT NOT NULL REFERENCES training_sessions (session_id),
    kind TEXT NOT NULL CHECK (kind IN ('video', 'slides', 'document')),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    duration_seconds INTEGER,
    length_bytes BIGINT NOT NULL,
    offset_bytes BIGINT NOT NULL,
    sha256_state TEXT NOT NULL,
    completed BOOLEAN NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX uploads_by_expiry ON uploads (expires_at);
