-- A SQLite database as release ba2f9da left it, with a few rows.
-- Written by scripts/make_migration_fixtures.py; read by tests/unit/test_migrations.py.
BEGIN TRANSACTION;
CREATE TABLE audit_events (
	id INTEGER NOT NULL,
	at DATETIME NOT NULL,
	actor VARCHAR(80) NOT NULL,
	action VARCHAR(40) NOT NULL,
	target VARCHAR(128),
	detail JSON NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE bot_turns (
	id INTEGER NOT NULL,
	conversation_id VARCHAR(255) NOT NULL,
	text TEXT NOT NULL,
	intent VARCHAR(160),
	confidence FLOAT,
	faq_entry VARCHAR(120),
	faq_score FLOAT,
	entities JSON NOT NULL,
	actions JSON NOT NULL,
	doubt VARCHAR(16),
	next_step VARCHAR(16),
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);
INSERT INTO "bot_turns" VALUES(1,'c0nv-previous-release','merci beaucoup','thank',0.97,NULL,NULL,'[]','["utter_thank"]',NULL,NULL,'2026-11-20 09:31:00.000000');
CREATE TABLE customers (
	id INTEGER NOT NULL,
	email VARCHAR(254) NOT NULL,
	first_name VARCHAR(80) NOT NULL,
	last_name VARCHAR(80) NOT NULL,
	postal_code VARCHAR(16),
	loyalty_points INTEGER NOT NULL,
	PRIMARY KEY (id)
);
INSERT INTO "customers" VALUES(1,'claire.martin@example.fr','Claire','Martin','69002',120);
CREATE TABLE desk_agent_notes (
	id INTEGER NOT NULL,
	conversation_id VARCHAR(64) NOT NULL,
	author VARCHAR(80) NOT NULL,
	text TEXT NOT NULL,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(conversation_id) REFERENCES desk_conversations (id)
);
CREATE TABLE desk_agents (
	id INTEGER NOT NULL,
	username VARCHAR(80) NOT NULL,
	password_hash VARCHAR(255) NOT NULL,
	display_name VARCHAR(120) NOT NULL,
	created_at DATETIME NOT NULL, "role" VARCHAR(16) DEFAULT 'agent',
	PRIMARY KEY (id)
);
INSERT INTO "desk_agents" VALUES(1,'camille','scrypt$not-a-real-hash','Camille','2026-11-20 09:30:00.000000','agent');
CREATE TABLE desk_console_sessions (
	id VARCHAR(64) NOT NULL,
	agent_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	last_seen_at DATETIME NOT NULL,
	revoked_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(agent_id) REFERENCES desk_agents (id)
);
INSERT INTO "desk_console_sessions" VALUES('0000000000000000000000000000000000000000000000000000000000000000',1,'2026-11-20 09:30:00.000000','2026-11-20 09:30:00.000000',NULL);
CREATE TABLE desk_conversations (
	id VARCHAR(64) NOT NULL,
	mode VARCHAR(16) NOT NULL,
	assignee VARCHAR(80),
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);
INSERT INTO "desk_conversations" VALUES('c0nv-previous-release','BOT',NULL,'2026-11-20 09:30:00.000000','2026-11-20 09:30:02.000000');
CREATE TABLE desk_feedback (
	id INTEGER NOT NULL,
	conversation_id VARCHAR(64) NOT NULL,
	message_id INTEGER,
	kind VARCHAR(16) NOT NULL,
	score INTEGER NOT NULL,
	topic VARCHAR(160),
	comment TEXT,
	created_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(conversation_id) REFERENCES desk_conversations (id),
	FOREIGN KEY(message_id) REFERENCES desk_messages (id)
);
INSERT INTO "desk_feedback" VALUES(1,'c0nv-previous-release',2,'answer',1,'track_order',NULL,'2026-11-20 09:31:00.000000');
CREATE TABLE desk_handoffs (
	id INTEGER NOT NULL,
	conversation_id VARCHAR(64) NOT NULL,
	reason VARCHAR(32) NOT NULL,
	note JSON NOT NULL,
	ticket_number VARCHAR(16),
	priority INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	due_at DATETIME NOT NULL,
	claimed_by VARCHAR(80),
	claimed_at DATETIME,
	closed_at DATETIME,
	outcome VARCHAR(32),
	PRIMARY KEY (id),
	FOREIGN KEY(conversation_id) REFERENCES desk_conversations (id)
);
CREATE TABLE desk_login_failures (
	id INTEGER NOT NULL,
	username VARCHAR(80) NOT NULL,
	address VARCHAR(64) NOT NULL,
	failed_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE desk_messages (
	id INTEGER NOT NULL,
	conversation_id VARCHAR(64) NOT NULL,
	author VARCHAR(16) NOT NULL,
	agent_username VARCHAR(80),
	text TEXT NOT NULL,
	payload VARCHAR(200),
	buttons JSON,
	intent VARCHAR(120),
	confidence FLOAT,
	relayed BOOLEAN,
	created_at DATETIME NOT NULL, "feedback_topic" VARCHAR(160),
	PRIMARY KEY (id),
	FOREIGN KEY(conversation_id) REFERENCES desk_conversations (id)
);
INSERT INTO "desk_messages" VALUES(1,'c0nv-previous-release','SHOPPER',NULL,'Bonjour, où en est ma commande 474918 ?',NULL,NULL,NULL,NULL,1,'2026-11-20 09:30:00.000000',NULL);
INSERT INTO "desk_messages" VALUES(2,'c0nv-previous-release','BOT',NULL,'Votre commande est partie le 20 novembre avec Colissimo.',NULL,NULL,'track_order',0.93,NULL,'2026-11-20 09:30:02.000000',NULL);
CREATE TABLE events (
	id INTEGER NOT NULL,
	sender_id VARCHAR(255) NOT NULL,
	type_name VARCHAR(255) NOT NULL,
	timestamp FLOAT,
	intent_name VARCHAR(255),
	action_name VARCHAR(255),
	data TEXT,
	PRIMARY KEY (id)
);
INSERT INTO "events" VALUES(1,'c0nv-previous-release','user',1795167000.0,'track_order',NULL,'{"event": "user", "text": "Bonjour"}');
CREATE TABLE identity_failures (
	id INTEGER NOT NULL,
	at DATETIME NOT NULL,
	order_number VARCHAR(16) NOT NULL,
	email_digest VARCHAR(32) NOT NULL,
	client_digest VARCHAR(32),
	PRIMARY KEY (id)
);
CREATE TABLE order_lines (
	id INTEGER NOT NULL,
	order_id INTEGER NOT NULL,
	shipment_id INTEGER,
	sku VARCHAR(32) NOT NULL,
	title VARCHAR(200) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	size VARCHAR(8),
	quantity INTEGER NOT NULL,
	unit_price_cents INTEGER NOT NULL,
	engraved BOOLEAN NOT NULL,
	made_to_measure BOOLEAN NOT NULL,
	discounted BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(order_id) REFERENCES orders (id),
	FOREIGN KEY(shipment_id) REFERENCES shipments (id)
);
INSERT INTO "order_lines" VALUES(1,1,1,'BG-OR-52','Bague solitaire or','RING','52',1,18900,0,0,0);
CREATE TABLE orders (
	id INTEGER NOT NULL,
	number VARCHAR(6) NOT NULL,
	customer_id INTEGER NOT NULL,
	status VARCHAR(32) NOT NULL,
	status_changed_at DATETIME NOT NULL,
	placed_at DATETIME NOT NULL,
	payment_method VARCHAR(32) NOT NULL,
	total_cents INTEGER NOT NULL,
	shipping_cents INTEGER NOT NULL,
	shipping_country VARCHAR(2) NOT NULL,
	carrier VARCHAR(32) NOT NULL,
	promo_code_id INTEGER,
	cancelled_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(customer_id) REFERENCES customers (id),
	FOREIGN KEY(promo_code_id) REFERENCES promo_codes (id)
);
INSERT INTO "orders" VALUES(1,'474918',1,'SHIPPED','2026-11-20 09:30:00.000000','2026-11-17 09:30:00.000000','CARD',18900,0,'FR','colissimo',NULL,NULL);
CREATE TABLE promo_code_uses (
	id INTEGER NOT NULL,
	promo_code_id INTEGER NOT NULL,
	customer_id INTEGER NOT NULL,
	order_id INTEGER,
	used_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(promo_code_id) REFERENCES promo_codes (id),
	FOREIGN KEY(customer_id) REFERENCES customers (id),
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
CREATE TABLE promo_codes (
	id INTEGER NOT NULL,
	code VARCHAR(32) NOT NULL,
	kind VARCHAR(16) NOT NULL,
	value INTEGER NOT NULL,
	valid_from DATETIME NOT NULL,
	valid_until DATETIME NOT NULL,
	min_basket_cents INTEGER NOT NULL,
	single_use BOOLEAN NOT NULL,
	customer_id INTEGER,
	applies_to_discounted BOOLEAN NOT NULL,
	active BOOLEAN NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(customer_id) REFERENCES customers (id)
);
CREATE TABLE review_labels (
	id INTEGER NOT NULL,
	turn_id INTEGER NOT NULL,
	kind VARCHAR(16) NOT NULL,
	value VARCHAR(160),
	editor VARCHAR(80) NOT NULL,
	created_at DATETIME NOT NULL,
	undone_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(turn_id) REFERENCES bot_turns (id)
);
CREATE TABLE shipments (
	id INTEGER NOT NULL,
	order_id INTEGER NOT NULL,
	carrier VARCHAR(32) NOT NULL,
	tracking_number VARCHAR(64) NOT NULL,
	destination_country VARCHAR(2) NOT NULL,
	shipped_at DATETIME NOT NULL,
	delivered_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(order_id) REFERENCES orders (id)
);
INSERT INTO "shipments" VALUES(1,1,'colissimo','6A12345678901','FR','2026-11-20 09:30:00.000000',NULL);
CREATE TABLE tickets (
	id INTEGER NOT NULL,
	number VARCHAR(16),
	kind VARCHAR(32) NOT NULL,
	order_id INTEGER,
	customer_id INTEGER,
	conversation_id VARCHAR(128),
	facts JSON NOT NULL,
	outcome VARCHAR(64),
	reason_code VARCHAR(64),
	clause TEXT,
	priority INTEGER NOT NULL,
	status VARCHAR(16) NOT NULL,
	assignee VARCHAR(80),
	created_at DATETIME NOT NULL,
	due_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(order_id) REFERENCES orders (id),
	FOREIGN KEY(customer_id) REFERENCES customers (id)
);
INSERT INTO "tickets" VALUES(1,'T-260001','lost_parcel',1,1,'c0nv-previous-release','{"carrier": "colissimo"}','open_inquiry','parcel_late',NULL,1,'OPEN',NULL,'2026-11-20 09:30:00.000000','2026-11-22 09:30:00.000000');
CREATE UNIQUE INDEX ix_customers_email ON customers (email);
CREATE INDEX ix_desk_conversations_updated_at ON desk_conversations (updated_at);
CREATE UNIQUE INDEX ix_desk_agents_username ON desk_agents (username);
CREATE INDEX ix_desk_login_failures_address ON desk_login_failures (address);
CREATE INDEX ix_desk_login_failures_username ON desk_login_failures (username);
CREATE INDEX ix_desk_login_failures_failed_at ON desk_login_failures (failed_at);
CREATE INDEX ix_audit_events_target ON audit_events (target);
CREATE INDEX ix_audit_events_at ON audit_events (at);
CREATE INDEX ix_identity_failures_number_at ON identity_failures (order_number, at);
CREATE INDEX ix_identity_failures_client_at ON identity_failures (client_digest, at);
CREATE INDEX ix_identity_failures_email_at ON identity_failures (email_digest, at);
CREATE UNIQUE INDEX ix_promo_codes_code ON promo_codes (code);
CREATE INDEX ix_desk_messages_intent ON desk_messages (intent);
CREATE INDEX ix_desk_messages_conversation_id ON desk_messages (conversation_id);
CREATE INDEX ix_desk_handoffs_conversation_id ON desk_handoffs (conversation_id);
CREATE INDEX ix_desk_handoffs_closed_at ON desk_handoffs (closed_at);
CREATE INDEX ix_desk_handoffs_ticket_number ON desk_handoffs (ticket_number);
CREATE INDEX ix_desk_console_sessions_agent_id ON desk_console_sessions (agent_id);
CREATE INDEX ix_desk_agent_notes_conversation_id ON desk_agent_notes (conversation_id);
CREATE UNIQUE INDEX ix_orders_number ON orders (number);
CREATE INDEX ix_shipments_order_id ON shipments (order_id);
CREATE INDEX ix_promo_code_uses_promo_code_id ON promo_code_uses (promo_code_id);
CREATE UNIQUE INDEX ix_tickets_number ON tickets (number);
CREATE INDEX ix_tickets_conversation_id ON tickets (conversation_id);
CREATE INDEX ix_order_lines_order_id ON order_lines (order_id);
CREATE INDEX ix_events_sender_id ON events (sender_id);
CREATE INDEX ix_bot_turns_conversation_id ON bot_turns (conversation_id);
CREATE INDEX ix_bot_turns_created_at ON bot_turns (created_at);
CREATE INDEX ix_bot_turns_doubt ON bot_turns (doubt);
CREATE INDEX ix_bot_turns_faq_entry ON bot_turns (faq_entry);
CREATE INDEX ix_bot_turns_intent ON bot_turns (intent);
CREATE INDEX ix_desk_feedback_created_at ON desk_feedback (created_at);
CREATE INDEX ix_desk_feedback_conversation_id ON desk_feedback (conversation_id);
CREATE INDEX ix_desk_feedback_topic ON desk_feedback (topic);
CREATE UNIQUE INDEX ix_desk_feedback_message_id ON desk_feedback (message_id);
CREATE INDEX ix_review_labels_turn_id ON review_labels (turn_id);
CREATE INDEX ix_review_labels_undone_at ON review_labels (undone_at);
COMMIT;
