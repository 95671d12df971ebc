"""initial schema

Revision ID: 0001_initial
Revises: 

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_initial'
down_revision = None
branch_labels = None
depends_on = None


# Progress-counter triggers, frozen from app/models/counters.py by tools/regen_migration.py
# (tests/test_migrations.py checks this copy against the models).
COUNTER_TRIGGERS = {
    'sqlite': [
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_inv_ins AFTER INSERT ON invitations FOR EACH ROW BEGIN '
         'INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, invitations, invited, '
         'delivered, failed, opened, answered, reminders) VALUES (NEW.campaign_id, NEW.unit_id, NEW.group_id, '
         '0, CASE WHEN NEW.revoked_at IS NULL THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL AND '
         "(NEW.status IN ('queued','sent','failed','bounced') OR NEW.sent_at IS NOT NULL OR EXISTS (SELECT 1 "
         'FROM respondents r WHERE r.id = NEW.respondent_id AND r.email IS NULL)) THEN 1 ELSE 0 END, CASE WHEN '
         "NEW.revoked_at IS NULL AND NEW.status = 'sent' THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL "
         "AND NEW.status IN ('failed','bounced') THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL AND "
         'NEW.opened_on IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL AND NEW.answered_on IS '
         'NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL THEN NEW.reminder_count ELSE 0 END) ON '
         'CONFLICT (campaign_id, unit_id, group_id) DO UPDATE SET invitations = progress_counters.invitations '
         '+ excluded.invitations, invited = progress_counters.invited + excluded.invited, delivered = '
         'progress_counters.delivered + excluded.delivered, failed = progress_counters.failed + '
         'excluded.failed, opened = progress_counters.opened + excluded.opened, answered = '
         'progress_counters.answered + excluded.answered, reminders = progress_counters.reminders + '
         'excluded.reminders; INSERT INTO progress_daily_answers (campaign_id, unit_id, day, answered) SELECT '
         'NEW.campaign_id, NEW.unit_id, NEW.answered_on, 1 WHERE NEW.answered_on IS NOT NULL AND '
         'NEW.revoked_at IS NULL ON CONFLICT (campaign_id, unit_id, day) DO UPDATE SET answered = '
         'progress_daily_answers.answered + 1; END'),
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_inv_del AFTER DELETE ON invitations FOR EACH ROW BEGIN '
         'UPDATE progress_counters SET invitations = invitations - (CASE WHEN OLD.revoked_at IS NULL THEN 1 '
         'ELSE 0 END), invited = invited - (CASE WHEN OLD.revoked_at IS NULL AND (OLD.status IN '
         "('queued','sent','failed','bounced') OR OLD.sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM respondents "
         'r WHERE r.id = OLD.respondent_id AND r.email IS NULL)) THEN 1 ELSE 0 END), delivered = delivered - '
         "(CASE WHEN OLD.revoked_at IS NULL AND OLD.status = 'sent' THEN 1 ELSE 0 END), failed = failed - "
         "(CASE WHEN OLD.revoked_at IS NULL AND OLD.status IN ('failed','bounced') THEN 1 ELSE 0 END), opened "
         '= opened - (CASE WHEN OLD.revoked_at IS NULL AND OLD.opened_on IS NOT NULL THEN 1 ELSE 0 END), '
         'answered = answered - (CASE WHEN OLD.revoked_at IS NULL AND OLD.answered_on IS NOT NULL THEN 1 ELSE '
         '0 END), reminders = reminders - (CASE WHEN OLD.revoked_at IS NULL THEN OLD.reminder_count ELSE 0 '
         'END) WHERE campaign_id = OLD.campaign_id AND unit_id = OLD.unit_id AND group_id = OLD.group_id; '
         'UPDATE progress_daily_answers SET answered = answered - 1 WHERE OLD.answered_on IS NOT NULL AND '
         'OLD.revoked_at IS NULL AND campaign_id = OLD.campaign_id AND unit_id = OLD.unit_id AND day = '
         'OLD.answered_on; END'),
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_inv_upd AFTER UPDATE OF campaign_id, respondent_id, '
         'unit_id, group_id, status, sent_at, opened_on, answered_on, reminder_count, revoked_at ON '
         'invitations FOR EACH ROW BEGIN UPDATE progress_counters SET invitations = invitations - (CASE WHEN '
         'OLD.revoked_at IS NULL THEN 1 ELSE 0 END), invited = invited - (CASE WHEN OLD.revoked_at IS NULL AND '
         "(OLD.status IN ('queued','sent','failed','bounced') OR OLD.sent_at IS NOT NULL OR EXISTS (SELECT 1 "
         'FROM respondents r WHERE r.id = OLD.respondent_id AND r.email IS NULL)) THEN 1 ELSE 0 END), '
         "delivered = delivered - (CASE WHEN OLD.revoked_at IS NULL AND OLD.status = 'sent' THEN 1 ELSE 0 "
         "END), failed = failed - (CASE WHEN OLD.revoked_at IS NULL AND OLD.status IN ('failed','bounced') "
         'THEN 1 ELSE 0 END), opened = opened - (CASE WHEN OLD.revoked_at IS NULL AND OLD.opened_on IS NOT '
         'NULL THEN 1 ELSE 0 END), answered = answered - (CASE WHEN OLD.revoked_at IS NULL AND OLD.answered_on '
         'IS NOT NULL THEN 1 ELSE 0 END), reminders = reminders - (CASE WHEN OLD.revoked_at IS NULL THEN '
         'OLD.reminder_count ELSE 0 END) WHERE campaign_id = OLD.campaign_id AND unit_id = OLD.unit_id AND '
         'group_id = OLD.group_id; UPDATE progress_daily_answers SET answered = answered - 1 WHERE '
         'OLD.answered_on IS NOT NULL AND OLD.revoked_at IS NULL AND campaign_id = OLD.campaign_id AND unit_id '
         '= OLD.unit_id AND day = OLD.answered_on; INSERT INTO progress_counters (campaign_id, unit_id, '
         'group_id, listed, invitations, invited, delivered, failed, opened, answered, reminders) VALUES '
         '(NEW.campaign_id, NEW.unit_id, NEW.group_id, 0, CASE WHEN NEW.revoked_at IS NULL THEN 1 ELSE 0 END, '
         "CASE WHEN NEW.revoked_at IS NULL AND (NEW.status IN ('queued','sent','failed','bounced') OR "
         'NEW.sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM respondents r WHERE r.id = NEW.respondent_id AND '
         "r.email IS NULL)) THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL AND NEW.status = 'sent' THEN 1 "
         "ELSE 0 END, CASE WHEN NEW.revoked_at IS NULL AND NEW.status IN ('failed','bounced') THEN 1 ELSE 0 "
         'END, CASE WHEN NEW.revoked_at IS NULL AND NEW.opened_on IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN '
         'NEW.revoked_at IS NULL AND NEW.answered_on IS NOT NULL THEN 1 ELSE 0 END, CASE WHEN NEW.revoked_at '
         'IS NULL THEN NEW.reminder_count ELSE 0 END) ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE '
         'SET invitations = progress_counters.invitations + excluded.invitations, invited = '
         'progress_counters.invited + excluded.invited, delivered = progress_counters.delivered + '
         'excluded.delivered, failed = progress_counters.failed + excluded.failed, opened = '
         'progress_counters.opened + excluded.opened, answered = progress_counters.answered + '
         'excluded.answered, reminders = progress_counters.reminders + excluded.reminders; INSERT INTO '
         'progress_daily_answers (campaign_id, unit_id, day, answered) SELECT NEW.campaign_id, NEW.unit_id, '
         'NEW.answered_on, 1 WHERE NEW.answered_on IS NOT NULL AND NEW.revoked_at IS NULL ON CONFLICT '
         '(campaign_id, unit_id, day) DO UPDATE SET answered = progress_daily_answers.answered + 1; END'),
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_resp_ins AFTER INSERT ON respondents FOR EACH ROW BEGIN '
         'INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, invitations, invited, '
         'delivered, failed, opened, answered, reminders) VALUES (NEW.campaign_id, NEW.unit_id, NEW.group_id, '
         '1, 0, 0, 0, 0, 0, 0, 0) ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE SET listed = '
         'progress_counters.listed + 1; END'),
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_resp_del AFTER DELETE ON respondents FOR EACH ROW BEGIN '
         'UPDATE progress_counters SET listed = listed - 1 WHERE campaign_id = OLD.campaign_id AND unit_id = '
         'OLD.unit_id AND group_id = OLD.group_id; END'),
        ('CREATE TRIGGER IF NOT EXISTS trg_progress_resp_upd AFTER UPDATE OF campaign_id, unit_id, group_id ON '
         'respondents FOR EACH ROW BEGIN UPDATE progress_counters SET listed = listed - 1 WHERE campaign_id = '
         'OLD.campaign_id AND unit_id = OLD.unit_id AND group_id = OLD.group_id; INSERT INTO progress_counters '
         '(campaign_id, unit_id, group_id, listed, invitations, invited, delivered, failed, opened, answered, '
         'reminders) VALUES (NEW.campaign_id, NEW.unit_id, NEW.group_id, 1, 0, 0, 0, 0, 0, 0, 0) ON CONFLICT '
         '(campaign_id, unit_id, group_id) DO UPDATE SET listed = progress_counters.listed + 1; END'),
    ],
    'postgresql': [
        ('CREATE OR REPLACE FUNCTION progress_invitation_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
         "IF TG_OP = 'INSERT' THEN PERFORM 1 FROM progress_counters c JOIN (SELECT DISTINCT t.campaign_id, "
         't.unit_id, t.group_id FROM (SELECT * FROM new_rows) t) d ON c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.group_id = d.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR '
         'UPDATE OF c; INSERT INTO progress_counters (campaign_id, unit_id, group_id, invitations, invited, '
         'delivered, failed, opened, answered, reminders, listed) SELECT d.*, 0 AS listed FROM (SELECT '
         't.campaign_id, t.unit_id, t.group_id, sum(CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END) AS '
         'invitations, sum(CASE WHEN t.revoked_at IS NULL AND (t.status IN '
         "('queued','sent','failed','bounced') OR t.sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM respondents r "
         'WHERE r.id = t.respondent_id AND r.email IS NULL)) THEN 1 ELSE 0 END) AS invited, sum(CASE WHEN '
         "t.revoked_at IS NULL AND t.status = 'sent' THEN 1 ELSE 0 END) AS delivered, sum(CASE WHEN "
         "t.revoked_at IS NULL AND t.status IN ('failed','bounced') THEN 1 ELSE 0 END) AS failed, sum(CASE "
         'WHEN t.revoked_at IS NULL AND t.opened_on IS NOT NULL THEN 1 ELSE 0 END) AS opened, sum(CASE WHEN '
         't.revoked_at IS NULL AND t.answered_on IS NOT NULL THEN 1 ELSE 0 END) AS answered, sum(CASE WHEN '
         't.revoked_at IS NULL THEN t.reminder_count ELSE 0 END) AS reminders FROM (SELECT * FROM new_rows) t '
         'GROUP BY 1, 2, 3) d WHERE true ORDER BY campaign_id, unit_id, group_id ON CONFLICT (campaign_id, '
         'unit_id, group_id) DO UPDATE SET invitations = progress_counters.invitations + excluded.invitations, '
         'invited = progress_counters.invited + excluded.invited, delivered = progress_counters.delivered + '
         'excluded.delivered, failed = progress_counters.failed + excluded.failed, opened = '
         'progress_counters.opened + excluded.opened, answered = progress_counters.answered + '
         'excluded.answered, reminders = progress_counters.reminders + excluded.reminders; PERFORM 1 FROM '
         'progress_daily_answers c JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.answered_on AS day FROM '
         '(SELECT * FROM new_rows) t WHERE t.answered_on IS NOT NULL) d ON c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.day = d.day ORDER BY c.campaign_id, c.unit_id, c.day FOR UPDATE OF c; '
         'INSERT INTO progress_daily_answers (campaign_id, unit_id, day, answered) SELECT d.* FROM (SELECT '
         't.campaign_id, t.unit_id, t.answered_on AS day, count(*) AS answered FROM (SELECT * FROM new_rows) t '
         'WHERE t.answered_on IS NOT NULL AND t.revoked_at IS NULL GROUP BY 1, 2, 3) d WHERE true ORDER BY '
         'campaign_id, unit_id, day ON CONFLICT (campaign_id, unit_id, day) DO UPDATE SET answered = '
         "progress_daily_answers.answered + excluded.answered; ELSIF TG_OP = 'DELETE' THEN PERFORM 1 FROM "
         'progress_counters c JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.group_id FROM (SELECT * FROM '
         'old_rows) t) d ON c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.group_id = '
         'd.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR UPDATE OF c; UPDATE progress_counters '
         'AS c SET invitations = c.invitations - d.invitations, invited = c.invited - d.invited, delivered = '
         'c.delivered - d.delivered, failed = c.failed - d.failed, opened = c.opened - d.opened, answered = '
         'c.answered - d.answered, reminders = c.reminders - d.reminders FROM (SELECT t.campaign_id, '
         't.unit_id, t.group_id, sum(CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END) AS invitations, '
         "sum(CASE WHEN t.revoked_at IS NULL AND (t.status IN ('queued','sent','failed','bounced') OR "
         't.sent_at IS NOT NULL OR EXISTS (SELECT 1 FROM respondents r WHERE r.id = t.respondent_id AND '
         'r.email IS NULL)) THEN 1 ELSE 0 END) AS invited, sum(CASE WHEN t.revoked_at IS NULL AND t.status = '
         "'sent' THEN 1 ELSE 0 END) AS delivered, sum(CASE WHEN t.revoked_at IS NULL AND t.status IN "
         "('failed','bounced') THEN 1 ELSE 0 END) AS failed, sum(CASE WHEN t.revoked_at IS NULL AND "
         't.opened_on IS NOT NULL THEN 1 ELSE 0 END) AS opened, sum(CASE WHEN t.revoked_at IS NULL AND '
         't.answered_on IS NOT NULL THEN 1 ELSE 0 END) AS answered, sum(CASE WHEN t.revoked_at IS NULL THEN '
         't.reminder_count ELSE 0 END) AS reminders FROM (SELECT * FROM old_rows) t GROUP BY 1, 2, 3) d WHERE '
         'c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.group_id = d.group_id; PERFORM 1 FROM '
         'progress_daily_answers c JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.answered_on AS day FROM '
         '(SELECT * FROM old_rows) t WHERE t.answered_on IS NOT NULL) d ON c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.day = d.day ORDER BY c.campaign_id, c.unit_id, c.day FOR UPDATE OF c; '
         'UPDATE progress_daily_answers AS c SET answered = c.answered - d.answered FROM (SELECT '
         't.campaign_id, t.unit_id, t.answered_on AS day, count(*) AS answered FROM (SELECT * FROM old_rows) t '
         'WHERE t.answered_on IS NOT NULL AND t.revoked_at IS NULL GROUP BY 1, 2, 3) d WHERE c.campaign_id = '
         'd.campaign_id AND c.unit_id = d.unit_id AND c.day = d.day; ELSE PERFORM 1 FROM progress_counters c '
         'JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.group_id FROM (SELECT * FROM old_rows) t) d ON '
         'c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.group_id = d.group_id ORDER BY '
         'c.campaign_id, c.unit_id, c.group_id FOR UPDATE OF c; UPDATE progress_counters AS c SET invitations '
         '= c.invitations - d.invitations, invited = c.invited - d.invited, delivered = c.delivered - '
         'd.delivered, failed = c.failed - d.failed, opened = c.opened - d.opened, answered = c.answered - '
         'd.answered, reminders = c.reminders - d.reminders FROM (SELECT t.campaign_id, t.unit_id, t.group_id, '
         'sum(CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END) AS invitations, sum(CASE WHEN t.revoked_at IS '
         "NULL AND (t.status IN ('queued','sent','failed','bounced') OR t.sent_at IS NOT NULL OR EXISTS "
         '(SELECT 1 FROM respondents r WHERE r.id = t.respondent_id AND r.email IS NULL)) THEN 1 ELSE 0 END) '
         "AS invited, sum(CASE WHEN t.revoked_at IS NULL AND t.status = 'sent' THEN 1 ELSE 0 END) AS "
         "delivered, sum(CASE WHEN t.revoked_at IS NULL AND t.status IN ('failed','bounced') THEN 1 ELSE 0 "
         'END) AS failed, sum(CASE WHEN t.revoked_at IS NULL AND t.opened_on IS NOT NULL THEN 1 ELSE 0 END) AS '
         'opened, sum(CASE WHEN t.revoked_at IS NULL AND t.answered_on IS NOT NULL THEN 1 ELSE 0 END) AS '
         'answered, sum(CASE WHEN t.revoked_at IS NULL THEN t.reminder_count ELSE 0 END) AS reminders FROM '
         '(SELECT * FROM old_rows) t GROUP BY 1, 2, 3) d WHERE c.campaign_id = d.campaign_id AND c.unit_id = '
         'd.unit_id AND c.group_id = d.group_id; PERFORM 1 FROM progress_daily_answers c JOIN (SELECT DISTINCT '
         't.campaign_id, t.unit_id, t.answered_on AS day FROM (SELECT * FROM old_rows) t WHERE t.answered_on '
         'IS NOT NULL) d ON c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.day = d.day ORDER BY '
         'c.campaign_id, c.unit_id, c.day FOR UPDATE OF c; UPDATE progress_daily_answers AS c SET answered = '
         'c.answered - d.answered FROM (SELECT t.campaign_id, t.unit_id, t.answered_on AS day, count(*) AS '
         'answered FROM (SELECT * FROM old_rows) t WHERE t.answered_on IS NOT NULL AND t.revoked_at IS NULL '
         'GROUP BY 1, 2, 3) d WHERE c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.day = d.day; '
         'PERFORM 1 FROM progress_counters c JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.group_id FROM '
         '(SELECT * FROM new_rows) t) d ON c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND '
         'c.group_id = d.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR UPDATE OF c; INSERT INTO '
         'progress_counters (campaign_id, unit_id, group_id, invitations, invited, delivered, failed, opened, '
         'answered, reminders, listed) SELECT d.*, 0 AS listed FROM (SELECT t.campaign_id, t.unit_id, '
         't.group_id, sum(CASE WHEN t.revoked_at IS NULL THEN 1 ELSE 0 END) AS invitations, sum(CASE WHEN '
         "t.revoked_at IS NULL AND (t.status IN ('queued','sent','failed','bounced') OR t.sent_at IS NOT NULL "
         'OR EXISTS (SELECT 1 FROM respondents r WHERE r.id = t.respondent_id AND r.email IS NULL)) THEN 1 '
         "ELSE 0 END) AS invited, sum(CASE WHEN t.revoked_at IS NULL AND t.status = 'sent' THEN 1 ELSE 0 END) "
         "AS delivered, sum(CASE WHEN t.revoked_at IS NULL AND t.status IN ('failed','bounced') THEN 1 ELSE 0 "
         'END) AS failed, sum(CASE WHEN t.revoked_at IS NULL AND t.opened_on IS NOT NULL THEN 1 ELSE 0 END) AS '
         'opened, sum(CASE WHEN t.revoked_at IS NULL AND t.answered_on IS NOT NULL THEN 1 ELSE 0 END) AS '
         'answered, sum(CASE WHEN t.revoked_at IS NULL THEN t.reminder_count ELSE 0 END) AS reminders FROM '
         '(SELECT * FROM new_rows) t GROUP BY 1, 2, 3) d WHERE true ORDER BY campaign_id, unit_id, group_id ON '
         'CONFLICT (campaign_id, unit_id, group_id) DO UPDATE SET invitations = progress_counters.invitations '
         '+ excluded.invitations, invited = progress_counters.invited + excluded.invited, delivered = '
         'progress_counters.delivered + excluded.delivered, failed = progress_counters.failed + '
         'excluded.failed, opened = progress_counters.opened + excluded.opened, answered = '
         'progress_counters.answered + excluded.answered, reminders = progress_counters.reminders + '
         'excluded.reminders; PERFORM 1 FROM progress_daily_answers c JOIN (SELECT DISTINCT t.campaign_id, '
         't.unit_id, t.answered_on AS day FROM (SELECT * FROM new_rows) t WHERE t.answered_on IS NOT NULL) d '
         'ON c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.day = d.day ORDER BY c.campaign_id, '
         'c.unit_id, c.day FOR UPDATE OF c; INSERT INTO progress_daily_answers (campaign_id, unit_id, day, '
         'answered) SELECT d.* FROM (SELECT t.campaign_id, t.unit_id, t.answered_on AS day, count(*) AS '
         'answered FROM (SELECT * FROM new_rows) t WHERE t.answered_on IS NOT NULL AND t.revoked_at IS NULL '
         'GROUP BY 1, 2, 3) d WHERE true ORDER BY campaign_id, unit_id, day ON CONFLICT (campaign_id, unit_id, '
         'day) DO UPDATE SET answered = progress_daily_answers.answered + excluded.answered; END IF; RETURN '
         'NULL; END $$'),
        ('CREATE OR REPLACE FUNCTION progress_respondent_counts() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN '
         "IF TG_OP = 'INSERT' THEN PERFORM 1 FROM progress_counters c JOIN (SELECT DISTINCT t.campaign_id, "
         't.unit_id, t.group_id FROM (SELECT * FROM new_rows) t) d ON c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.group_id = d.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR '
         'UPDATE OF c; INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, invitations, '
         'invited, delivered, failed, opened, answered, reminders) SELECT d.*, 0 AS invitations, 0 AS invited, '
         '0 AS delivered, 0 AS failed, 0 AS opened, 0 AS answered, 0 AS reminders FROM (SELECT t.campaign_id, '
         't.unit_id, t.group_id, sum(1) AS listed FROM (SELECT * FROM new_rows) t GROUP BY 1, 2, 3) d WHERE '
         'true ORDER BY campaign_id, unit_id, group_id ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE '
         "SET listed = progress_counters.listed + excluded.listed; ELSIF TG_OP = 'DELETE' THEN PERFORM 1 FROM "
         'progress_counters c JOIN (SELECT DISTINCT t.campaign_id, t.unit_id, t.group_id FROM (SELECT * FROM '
         'old_rows) t) d ON c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.group_id = '
         'd.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR UPDATE OF c; UPDATE progress_counters '
         'AS c SET listed = c.listed - d.listed FROM (SELECT t.campaign_id, t.unit_id, t.group_id, sum(1) AS '
         'listed FROM (SELECT * FROM old_rows) t GROUP BY 1, 2, 3) d WHERE c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.group_id = d.group_id; ELSE PERFORM 1 FROM progress_counters c JOIN '
         '(SELECT DISTINCT t.campaign_id, t.unit_id, t.group_id FROM (SELECT * FROM old_rows) t) d ON '
         'c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id AND c.group_id = d.group_id ORDER BY '
         'c.campaign_id, c.unit_id, c.group_id FOR UPDATE OF c; UPDATE progress_counters AS c SET listed = '
         'c.listed - d.listed FROM (SELECT t.campaign_id, t.unit_id, t.group_id, sum(1) AS listed FROM (SELECT '
         '* FROM old_rows) t GROUP BY 1, 2, 3) d WHERE c.campaign_id = d.campaign_id AND c.unit_id = d.unit_id '
         'AND c.group_id = d.group_id; PERFORM 1 FROM progress_counters c JOIN (SELECT DISTINCT t.campaign_id, '
         't.unit_id, t.group_id FROM (SELECT * FROM new_rows) t) d ON c.campaign_id = d.campaign_id AND '
         'c.unit_id = d.unit_id AND c.group_id = d.group_id ORDER BY c.campaign_id, c.unit_id, c.group_id FOR '
         'UPDATE OF c; INSERT INTO progress_counters (campaign_id, unit_id, group_id, listed, invitations, '
         'invited, delivered, failed, opened, answered, reminders) SELECT d.*, 0 AS invitations, 0 AS invited, '
         '0 AS delivered, 0 AS failed, 0 AS opened, 0 AS answered, 0 AS reminders FROM (SELECT t.campaign_id, '
         't.unit_id, t.group_id, sum(1) AS listed FROM (SELECT * FROM new_rows) t GROUP BY 1, 2, 3) d WHERE '
         'true ORDER BY campaign_id, unit_id, group_id ON CONFLICT (campaign_id, unit_id, group_id) DO UPDATE '
         'SET listed = progress_counters.listed + excluded.listed; END IF; RETURN NULL; END $$'),
        ('DROP TRIGGER IF EXISTS trg_progress_invitation_counts_insert ON invitations'),
        ('CREATE TRIGGER trg_progress_invitation_counts_insert AFTER INSERT ON invitations REFERENCING NEW '
         'TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_invitation_counts()'),
        ('DROP TRIGGER IF EXISTS trg_progress_invitation_counts_delete ON invitations'),
        ('CREATE TRIGGER trg_progress_invitation_counts_delete AFTER DELETE ON invitations REFERENCING OLD '
         'TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_invitation_counts()'),
        ('DROP TRIGGER IF EXISTS trg_progress_invitation_counts_update ON invitations'),
        ('CREATE TRIGGER trg_progress_invitation_counts_update AFTER UPDATE ON invitations REFERENCING OLD '
         'TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
         'progress_invitation_counts()'),
        ('DROP TRIGGER IF EXISTS trg_progress_respondent_counts_insert ON respondents'),
        ('CREATE TRIGGER trg_progress_respondent_counts_insert AFTER INSERT ON respondents REFERENCING NEW '
         'TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_respondent_counts()'),
        ('DROP TRIGGER IF EXISTS trg_progress_respondent_counts_delete ON respondents'),
        ('CREATE TRIGGER trg_progress_respondent_counts_delete AFTER DELETE ON respondents REFERENCING OLD '
         'TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION progress_respondent_counts()'),
        ('DROP TRIGGER IF EXISTS trg_progress_respondent_counts_update ON respondents'),
        ('CREATE TRIGGER trg_progress_respondent_counts_update AFTER UPDATE ON respondents REFERENCING OLD '
         'TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION '
         'progress_respondent_counts()'),
    ],
}
COUNTER_TRIGGERS_DROP = {
    'sqlite': [
    ],
    'postgresql': [
        ('DROP FUNCTION IF EXISTS progress_invitation_counts() CASCADE'),
        ('DROP FUNCTION IF EXISTS progress_respondent_counts() CASCADE'),
    ],
}


def _dialect():
    return 'postgresql' if op.get_bind().dialect.name == 'postgresql' else 'sqlite'


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scheme_code', sa.String(length=50), nullable=False),
    sa.Column('scheme_digest', sa.String(length=64), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('lists_by', sa.Date(), nullable=False),
    sa.Column('answers_by', sa.Date(), nullable=False),
    sa.Column('assessments_by', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('reminders_auto', sa.Boolean(), nullable=False),
    sa.Column('reminder_every_days', sa.Integer(), nullable=False),
    sa.Column('reminder_max', sa.Integer(), nullable=False),
    sa.Column('reminder_quiet_hours', sa.Integer(), nullable=False),
    sa.Column('mail_templates', sa.JSON(), nullable=False),
    sa.Column('contact_text', sa.Text(), nullable=False),
    sa.Column('min_cell_sheets', sa.Integer(), server_default='3', nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('plan_reference', sa.String(length=300), nullable=False),
    sa.Column('minutes_needed', sa.Integer(), nullable=False),
    sa.CheckConstraint('min_cell_sheets BETWEEN 1 AND 100', name=op.f('ck_campaigns_min_cell_sheets')),
    sa.CheckConstraint('year BETWEEN 2000 AND 2100', name=op.f('ck_campaigns_year')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_campaigns'))
    )
    op.create_table('heartbeats',
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('host', sa.String(length=200), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('leader', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_heartbeats'))
    )
    op.create_table('mailboxes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=True),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('port', sa.Integer(), nullable=False),
    sa.Column('tls', sa.String(length=10), nullable=False),
    sa.Column('username', sa.String(length=254), nullable=True),
    sa.Column('password_encrypted', sa.Text(), nullable=True),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('sender_name', sa.String(length=200), nullable=False),
    sa.Column('reply_to', sa.String(length=254), nullable=True),
    sa.Column('rate_per_minute', sa.Integer(), nullable=False),
    sa.Column('daily_cap', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(), nullable=True),
    sa.Column('paused_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('imap_host', sa.String(length=255), nullable=True),
    sa.Column('imap_port', sa.Integer(), nullable=True),
    sa.Column('imap_tls', sa.String(length=10), nullable=True),
    sa.Column('imap_username', sa.String(length=254), nullable=True),
    sa.Column('imap_password_encrypted', sa.Text(), nullable=True),
    sa.Column('imap_folder', sa.String(length=200), nullable=True),
    sa.Column('imap_last_error', sa.Text(), nullable=True),
    sa.Column('imap_read_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("tls IN ('none','starttls','ssl')", name=op.f('ck_mailboxes_tls')),
    sa.CheckConstraint('port BETWEEN 1 AND 65535', name=op.f('ck_mailboxes_port')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mailboxes')),
    sa.UniqueConstraint('unit_code', name=op.f('uq_mailboxes_unit_code'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active_flag', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(), nullable=True),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('session_version', sa.Integer(), nullable=False),
    sa.CheckConstraint("role IN ('admin','coordinator','focal','enumerator')", name=op.f('ck_users_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email'))
    )
    op.create_table('assessment_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_assessment_imports_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_assessment_imports_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessment_imports'))
    )
    with op.batch_alter_table('assessment_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_imports_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('target', sa.String(length=120), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_audit_log_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_audit_log_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('questionnaire_code', sa.String(length=50), nullable=False),
    sa.Column('weight', sa.Double(), nullable=False),
    sa.Column('requires_email', sa.Boolean(), nullable=False),
    sa.Column('quota_min', sa.Integer(), nullable=True),
    sa.Column('quota_max', sa.Integer(), nullable=True),
    sa.Column('quota_by_kind', sa.JSON(), nullable=False),
    sa.CheckConstraint('quota_min IS NULL OR quota_max IS NULL OR quota_min <= quota_max', name=op.f('ck_groups_quota')),
    sa.CheckConstraint('weight >= 0', name=op.f('ck_groups_weight')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_groups_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_groups')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_groups_campaign_id_code')),
    sa.UniqueConstraint('campaign_id', 'priority', name=op.f('uq_groups_campaign_id_priority'))
    )
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_groups_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('index_runs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('scheme_digest', sa.String(length=64), nullable=False),
    sa.Column('inputs_digest', sa.String(length=64), nullable=False),
    sa.Column('result_digest', sa.String(length=64), nullable=False),
    sa.Column('code_version', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('result_csv', sa.Text(), nullable=False),
    sa.Column('workbook', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_index_runs_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_index_runs_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_index_runs'))
    )
    with op.batch_alter_table('index_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_index_runs_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('interference_scans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('last_response_id', sa.Integer(), nullable=False),
    sa.Column('findings', sa.Integer(), nullable=False),
    sa.Column('new_findings', sa.Integer(), nullable=False),
    sa.Column('unit_risk', sa.JSON(), nullable=False),
    sa.Column('seconds', sa.Double(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_interference_scans_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_interference_scans_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interference_scans'))
    )
    with op.batch_alter_table('interference_scans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interference_scans_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('mail_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('message_key', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('invitation_ids', sa.JSON(), nullable=False),
    sa.Column('sender', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('read_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('bounce','reply','auto_reply','unreadable','not_me')", name=op.f('ck_mail_replies_kind')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_mail_replies_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_mail_replies_mailbox_id_mailboxes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_replies')),
    sa.UniqueConstraint('mailbox_id', 'message_key', name=op.f('uq_mail_replies_mailbox_id_message_key'))
    )
    with op.batch_alter_table('mail_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mail_replies_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=50), nullable=False),
    sa.Column('survey_voided', sa.Boolean(), nullable=False),
    sa.Column('void_reason', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_units_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('campaign_id', 'code', name=op.f('uq_units_campaign_id_code'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('user_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_code', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_scopes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_scopes')),
    sa.UniqueConstraint('user_id', 'unit_code', name=op.f('uq_user_scopes_user_id_unit_code'))
    )
    with op.batch_alter_table('user_scopes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_scopes_user_id'), ['user_id'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('score', sa.Double(), nullable=False),
    sa.Column('response_ids', sa.JSON(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("severity IN ('low','medium','high')", name=op.f('ck_findings_severity')),
    sa.CheckConstraint("state IN ('open','dismissed','excluded','voided')", name=op.f('ck_findings_state')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_findings_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_findings_group_id_groups'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_findings_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('campaign_id', 'fingerprint', name=op.f('uq_findings_campaign_id_fingerprint'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_findings_unit_id'), ['unit_id'], unique=False)

    op.create_table('progress_counters',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('listed', sa.Integer(), nullable=False),
    sa.Column('invitations', sa.Integer(), nullable=False),
    sa.Column('invited', sa.Integer(), nullable=False),
    sa.Column('delivered', sa.Integer(), nullable=False),
    sa.Column('failed', sa.Integer(), nullable=False),
    sa.Column('opened', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_progress_counters_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_progress_counters_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_progress_counters_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'group_id', name=op.f('pk_progress_counters'))
    )
    op.create_table('progress_daily_answers',
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_progress_daily_answers_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_progress_daily_answers_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('campaign_id', 'unit_id', 'day', name=op.f('pk_progress_daily_answers'))
    )
    op.create_table('respondent_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('quota_explanation', sa.Text(), nullable=True),
    sa.Column('return_reason', sa.Text(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('sample_seed', sa.Integer(), nullable=True),
    sa.Column('sample_note', sa.Text(), nullable=True),
    sa.Column('last_upload', sa.JSON(), nullable=False),
    sa.CheckConstraint("state IN ('draft','submitted','approved','returned')", name=op.f('ck_respondent_lists_state')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_respondent_lists_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_respondent_lists_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_respondent_lists_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_respondent_lists_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_lists')),
    sa.UniqueConstraint('unit_id', name=op.f('uq_respondent_lists_unit_id'))
    )
    with op.batch_alter_table('respondent_lists', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_lists_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('respondents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('organisation', sa.String(length=300), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('source_row', sa.Integer(), nullable=True),
    sa.Column('email_status', sa.String(length=10), nullable=False),
    sa.Column('email_error', sa.Text(), nullable=True),
    sa.Column('enumerator_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("email_status IN ('ok','failed','bounced')", name=op.f('ck_respondents_email_status')),
    sa.CheckConstraint('email IS NOT NULL OR phone IS NOT NULL', name=op.f('ck_respondents_contact')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_respondents_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['enumerator_id'], ['users.id'], name=op.f('fk_respondents_enumerator_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_respondents_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_respondents_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondents')),
    sa.UniqueConstraint('campaign_id', 'email', name=op.f('uq_respondents_campaign_id_email'))
    )
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.create_index('ix_respondents_campaign_phone', ['campaign_id', 'phone'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondents_enumerator_id'), ['enumerator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondents_group_id'), ['group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_respondents_unit_id'), ['unit_id'], unique=False)

    op.create_table('responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_code', sa.String(length=50), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=50), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('duration_s', sa.Double(), nullable=True),
    sa.Column('net_hash', sa.String(length=64), nullable=True),
    sa.Column('net_prefix_hash', sa.String(length=64), nullable=True),
    sa.Column('ua_hash', sa.String(length=64), nullable=True),
    sa.Column('device_hash', sa.String(length=64), nullable=True),
    sa.Column('moved_network', sa.Boolean(), nullable=True),
    sa.Column('moved_device', sa.Boolean(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('excluded', sa.Boolean(), nullable=False),
    sa.CheckConstraint("mode IN ('web','paper','phone')", name=op.f('ck_responses_mode')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_responses_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_responses_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_responses_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_responses_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index('ix_responses_campaign_unit_group', ['campaign_id', 'unit_id', 'group_id'], unique=False)

    op.create_table('sealed_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_code', sa.String(length=50), nullable=False),
    sa.Column('questionnaire_version', sa.String(length=50), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.CheckConstraint("mode IN ('web','paper','phone')", name=op.f('ck_sealed_answers_mode')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_sealed_answers_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_sealed_answers_entered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_sealed_answers_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_sealed_answers_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sealed_answers'))
    )
    with op.batch_alter_table('sealed_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sealed_answers_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('self_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('criterion_code', sa.String(length=50), nullable=False),
    sa.Column('self_score', sa.Double(), nullable=True),
    sa.Column('appraised_score', sa.Double(), nullable=True),
    sa.Column('appraiser', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('not_applicable', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('appraised_score IS NULL OR appraised_score >= 0', name=op.f('ck_self_assessments_appraised_score')),
    sa.CheckConstraint('self_score IS NULL OR self_score >= 0', name=op.f('ck_self_assessments_self_score')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_self_assessments_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['import_id'], ['assessment_imports.id'], name=op.f('fk_self_assessments_import_id_assessment_imports'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_self_assessments_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_assessments')),
    sa.UniqueConstraint('unit_id', 'criterion_code', name=op.f('uq_self_assessments_unit_id_criterion_code'))
    )
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_self_assessments_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('answers',
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('item_code', sa.String(length=50), nullable=False),
    sa.Column('option_code', sa.String(length=50), nullable=True),
    sa.Column('credit', sa.Double(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('credit IS NULL OR (credit >= 0 AND credit <= 1)', name=op.f('ck_answers_credit')),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_answers_response_id_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('response_id', 'item_code', name=op.f('pk_answers')),
    sqlite_with_rowid=False
    )
    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("action IN ('dismiss','exclude','void','revert')", name=op.f('ck_decisions_action')),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_decisions_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_decisions_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_finding_id'), ['finding_id'], unique=False)

    op.create_table('invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_code', sa.String(length=50), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=True),
    sa.Column('reminder_count', sa.Integer(), nullable=False),
    sa.Column('last_reminder_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.CheckConstraint("status IN ('pending','queued','sent','failed','bounced')", name=op.f('ck_invitations_status')),
    sa.CheckConstraint('reminder_count >= 0', name=op.f('ck_invitations_reminders')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_invitations_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['groups.id'], name=op.f('fk_invitations_group_id_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_invitations_respondent_id_respondents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_invitations_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invitations')),
    sa.UniqueConstraint('respondent_id', 'unit_id', 'questionnaire_code', name=op.f('uq_invitations_respondent_id_unit_id_questionnaire_code'))
    )
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.create_index('ix_invitations_campaign_unit', ['campaign_id', 'unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitations_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('outbox_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=True),
    sa.Column('mailbox_id', sa.Integer(), nullable=True),
    sa.Column('respondent_id', sa.Integer(), nullable=True),
    sa.Column('invitation_ids', sa.JSON(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('to_addr', sa.String(length=254), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('body_text', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('smtp_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('message_id', sa.String(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('invitation','reminder','other')", name=op.f('ck_outbox_messages_kind')),
    sa.CheckConstraint("status IN ('queued','sending','sent','failed','bounced')", name=op.f('ck_outbox_messages_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_outbox_messages_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mailbox_id'], ['mailboxes.id'], name=op.f('fk_outbox_messages_mailbox_id_mailboxes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_outbox_messages_respondent_id_respondents'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_messages'))
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_campaign_status', ['campaign_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('ix_outbox_message_id', ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_campaign_id'), ['campaign_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_messages_respondent_id'), ['respondent_id'], unique=False)
        batch_op.create_index('ix_outbox_status_due', ['status', 'next_attempt_at'], unique=False)

    op.create_table('respondent_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_respondent_targets_respondent_id_respondents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_respondent_targets_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_respondent_targets')),
    sa.UniqueConstraint('respondent_id', 'unit_id', name=op.f('uq_respondent_targets_respondent_id_unit_id'))
    )
    with op.batch_alter_table('respondent_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_respondent_targets_unit_id'), ['unit_id'], unique=False)

    op.create_table('address_proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('old_email', sa.String(length=254), nullable=True),
    sa.Column('new_email', sa.String(length=254), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.CheckConstraint("(state = 'pending') = (decided_at IS NULL)", name=op.f('ck_address_proposals_decided')),
    sa.CheckConstraint("state IN ('pending','approved','rejected')", name=op.f('ck_address_proposals_state')),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], name=op.f('fk_address_proposals_campaign_id_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_address_proposals_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_address_proposals_invitation_id_invitations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_address_proposals_proposed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['respondent_id'], ['respondents.id'], name=op.f('fk_address_proposals_respondent_id_respondents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_address_proposals'))
    )
    with op.batch_alter_table('address_proposals', schema=None) as batch_op:
        batch_op.create_index('ix_address_proposals_campaign_state', ['campaign_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_address_proposals_respondent_id'), ['respondent_id'], unique=False)

    op.create_table('survey_drafts',
    sa.Column('invitation_id', sa.Integer(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('first_opened_at', sa.DateTime(), nullable=False),
    sa.Column('open_net_hash', sa.String(length=64), nullable=True),
    sa.Column('open_device_hash', sa.String(length=64), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['invitation_id'], ['invitations.id'], name=op.f('fk_survey_drafts_invitation_id_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('invitation_id', name=op.f('pk_survey_drafts'))
    )
    # ### end Alembic commands ###

    # Progress counters are kept by triggers; autogenerate cannot see them (frozen copy below).
    for statement in COUNTER_TRIGGERS[_dialect()]:
        op.get_bind().exec_driver_sql(statement)


def downgrade():
    for statement in COUNTER_TRIGGERS_DROP[_dialect()]:
        op.get_bind().exec_driver_sql(statement)
    # ### commands auto generated by Alembic - please adjust! ###
    op.drop_table('survey_drafts')
    with op.batch_alter_table('address_proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_address_proposals_respondent_id'))
        batch_op.drop_index('ix_address_proposals_campaign_state')

    op.drop_table('address_proposals')
    with op.batch_alter_table('respondent_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_targets_unit_id'))

    op.drop_table('respondent_targets')
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_status_due')
        batch_op.drop_index(batch_op.f('ix_outbox_messages_respondent_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_messages_campaign_id'))
        batch_op.drop_index('ix_outbox_message_id')
        batch_op.drop_index('ix_outbox_campaign_status')

    op.drop_table('outbox_messages')
    with op.batch_alter_table('invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitations_respondent_id'))
        batch_op.drop_index('ix_invitations_campaign_unit')

    op.drop_table('invitations')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_finding_id'))

    op.drop_table('decisions')
    op.drop_table('answers')
    with op.batch_alter_table('self_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_self_assessments_campaign_id'))

    op.drop_table('self_assessments')
    with op.batch_alter_table('sealed_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sealed_answers_campaign_id'))

    op.drop_table('sealed_answers')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_campaign_unit_group')

    op.drop_table('responses')
    with op.batch_alter_table('respondents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondents_unit_id'))
        batch_op.drop_index(batch_op.f('ix_respondents_group_id'))
        batch_op.drop_index(batch_op.f('ix_respondents_enumerator_id'))
        batch_op.drop_index('ix_respondents_campaign_phone')

    op.drop_table('respondents')
    with op.batch_alter_table('respondent_lists', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_respondent_lists_campaign_id'))

    op.drop_table('respondent_lists')
    op.drop_table('progress_daily_answers')
    op.drop_table('progress_counters')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_unit_id'))
        batch_op.drop_index(batch_op.f('ix_findings_campaign_id'))

    op.drop_table('findings')
    with op.batch_alter_table('user_scopes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_scopes_user_id'))

    op.drop_table('user_scopes')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_campaign_id'))

    op.drop_table('units')
    with op.batch_alter_table('mail_replies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_replies_campaign_id'))

    op.drop_table('mail_replies')
    with op.batch_alter_table('interference_scans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interference_scans_campaign_id'))

    op.drop_table('interference_scans')
    with op.batch_alter_table('index_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_index_runs_campaign_id'))

    op.drop_table('index_runs')
    with op.batch_alter_table('groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_groups_campaign_id'))

    op.drop_table('groups')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_campaign_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('assessment_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_imports_campaign_id'))

    op.drop_table('assessment_imports')
    op.drop_table('users')
    op.drop_table('mailboxes')
    op.drop_table('heartbeats')
    op.drop_table('campaigns')
    # ### end Alembic commands ###
