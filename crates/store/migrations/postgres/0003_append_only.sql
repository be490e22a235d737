-- Stored events are immutable: the audit export's hash chain (crates/audit) is only worth
-- something if nobody can rewrite history underneath it. Two layers:
--
-- 1. Triggers that refuse UPDATE, DELETE and TRUNCATE of `events` for every role, the
--    table's owner included. (A superuser can still get around them, e.g. with
--    `SET session_replication_role = replica` or by dropping the trigger; that is what the
--    signed export chain is for.)
-- 2. A role `newsroom_service` with only what the services need: read and append events,
--    read and save checkpoints. Services log in as a role that is a member of it
--    (`CREATE ROLE svc LOGIN IN ROLE newsroom_service`) and cannot even attempt to change
--    events. It has no CREATE on the schema, so it cannot run migrations (sqlx's
--    `CREATE TABLE IF NOT EXISTS _sqlx_migrations` needs it): migrate as the owner, and open
--    the services' store without migrating (`PgStore::from_pool`).
--
-- Roles belong to the whole server, so the role is created only if missing, and only when
-- the migrating role may create roles; otherwise a notice says so and the grants are left
-- to the administrator (the triggers hold regardless).

CREATE FUNCTION events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only: % of stored events is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'record a correcting event instead';
END;
$$;

CREATE TRIGGER events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_append_only();

CREATE TRIGGER events_no_truncate
    BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();

DO $$
DECLARE
    may_create boolean;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'newsroom_service') THEN
        SELECT rolsuper OR rolcreaterole INTO may_create
            FROM pg_roles WHERE rolname = current_user;
        IF NOT may_create THEN
            RAISE NOTICE 'role newsroom_service not created (% may not create roles): '
                'grant the services SELECT, INSERT on events and SELECT, INSERT, UPDATE on '
                'checkpoints yourself', current_user;
            RETURN;
        END IF;
        BEGIN
            CREATE ROLE newsroom_service NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            -- Created meanwhile by a migration of another database on this server.
            NULL;
        END;
    END IF;

    REVOKE ALL ON events, checkpoints FROM newsroom_service;
    GRANT SELECT, INSERT ON events TO newsroom_service;
    -- save_checkpoint upserts (INSERT ... ON CONFLICT DO UPDATE).
    GRANT SELECT, INSERT, UPDATE ON checkpoints TO newsroom_service;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO newsroom_service', current_database());
    GRANT USAGE ON SCHEMA public TO newsroom_service;
END;
$$;
