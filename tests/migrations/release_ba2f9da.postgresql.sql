-- A PostgreSQL database as release ba2f9da left it, with a few rows.
-- Written by scripts/make_migration_fixtures.py; read by tests/unit/test_migrations.py.
-- PostgreSQL database dump

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

-- Name: audit_events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.audit_events (
    id integer NOT NULL,
    at timestamp without time zone NOT NULL,
    actor character varying(80) NOT NULL,
    action character varying(40) NOT NULL,
    target character varying(128),
    detail json NOT NULL
);

-- Name: audit_events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.audit_events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: audit_events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.audit_events_id_seq OWNED BY public.audit_events.id;

-- Name: bot_turns; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.bot_turns (
    id integer NOT NULL,
    conversation_id character varying(255) NOT NULL,
    text text NOT NULL,
    intent character varying(160),
    confidence double precision,
    faq_entry character varying(120),
    faq_score double precision,
    entities json NOT NULL,
    actions json NOT NULL,
    doubt character varying(16),
    next_step character varying(16),
    created_at timestamp without time zone NOT NULL
);

-- Name: bot_turns_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.bot_turns_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: bot_turns_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.bot_turns_id_seq OWNED BY public.bot_turns.id;

-- Name: customers; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.customers (
    id integer NOT NULL,
    email character varying(254) NOT NULL,
    first_name character varying(80) NOT NULL,
    last_name character varying(80) NOT NULL,
    postal_code character varying(16),
    loyalty_points integer NOT NULL
);

-- Name: customers_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.customers_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: customers_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.customers_id_seq OWNED BY public.customers.id;

-- Name: desk_agent_notes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_agent_notes (
    id integer NOT NULL,
    conversation_id character varying(64) NOT NULL,
    author character varying(80) NOT NULL,
    text text NOT NULL,
    created_at timestamp without time zone NOT NULL
);

-- Name: desk_agent_notes_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_agent_notes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_agent_notes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_agent_notes_id_seq OWNED BY public.desk_agent_notes.id;

-- Name: desk_agents; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_agents (
    id integer NOT NULL,
    username character varying(80) NOT NULL,
    password_hash character varying(255) NOT NULL,
    display_name character varying(120) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    role character varying(16) DEFAULT 'agent'::character varying
);

-- Name: desk_agents_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_agents_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_agents_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_agents_id_seq OWNED BY public.desk_agents.id;

-- Name: desk_console_sessions; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_console_sessions (
    id character varying(64) NOT NULL,
    agent_id integer NOT NULL,
    created_at timestamp without time zone NOT NULL,
    last_seen_at timestamp without time zone NOT NULL,
    revoked_at timestamp without time zone
);

-- Name: desk_conversations; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_conversations (
    id character varying(64) NOT NULL,
    mode character varying(16) NOT NULL,
    assignee character varying(80),
    created_at timestamp without time zone NOT NULL,
    updated_at timestamp without time zone NOT NULL
);

-- Name: desk_feedback; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_feedback (
    id integer NOT NULL,
    conversation_id character varying(64) NOT NULL,
    message_id integer,
    kind character varying(16) NOT NULL,
    score integer NOT NULL,
    topic character varying(160),
    comment text,
    created_at timestamp without time zone NOT NULL
);

-- Name: desk_feedback_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_feedback_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_feedback_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_feedback_id_seq OWNED BY public.desk_feedback.id;

-- Name: desk_handoffs; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_handoffs (
    id integer NOT NULL,
    conversation_id character varying(64) NOT NULL,
    reason character varying(32) NOT NULL,
    note json NOT NULL,
    ticket_number character varying(16),
    priority integer NOT NULL,
    created_at timestamp without time zone NOT NULL,
    due_at timestamp without time zone NOT NULL,
    claimed_by character varying(80),
    claimed_at timestamp without time zone,
    closed_at timestamp without time zone,
    outcome character varying(32)
);

-- Name: desk_handoffs_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_handoffs_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_handoffs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_handoffs_id_seq OWNED BY public.desk_handoffs.id;

-- Name: desk_login_failures; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_login_failures (
    id integer NOT NULL,
    username character varying(80) NOT NULL,
    address character varying(64) NOT NULL,
    failed_at timestamp without time zone NOT NULL
);

-- Name: desk_login_failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_login_failures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_login_failures_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_login_failures_id_seq OWNED BY public.desk_login_failures.id;

-- Name: desk_messages; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.desk_messages (
    id integer NOT NULL,
    conversation_id character varying(64) NOT NULL,
    author character varying(16) NOT NULL,
    agent_username character varying(80),
    text text NOT NULL,
    payload character varying(200),
    buttons json,
    intent character varying(120),
    confidence double precision,
    relayed boolean,
    created_at timestamp without time zone NOT NULL,
    feedback_topic character varying(160)
);

-- Name: desk_messages_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.desk_messages_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: desk_messages_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.desk_messages_id_seq OWNED BY public.desk_messages.id;

-- Name: events; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.events (
    id integer NOT NULL,
    sender_id character varying(255) NOT NULL,
    type_name character varying(255) NOT NULL,
    "timestamp" double precision,
    intent_name character varying(255),
    action_name character varying(255),
    data text
);

-- Name: events_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.events_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: events_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.events_id_seq OWNED BY public.events.id;

-- Name: identity_failures; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.identity_failures (
    id integer NOT NULL,
    at timestamp without time zone NOT NULL,
    order_number character varying(16) NOT NULL,
    email_digest character varying(32) NOT NULL,
    client_digest character varying(32)
);

-- Name: identity_failures_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.identity_failures_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: identity_failures_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.identity_failures_id_seq OWNED BY public.identity_failures.id;

-- Name: order_lines; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.order_lines (
    id integer NOT NULL,
    order_id integer NOT NULL,
    shipment_id integer,
    sku character varying(32) NOT NULL,
    title character varying(200) NOT NULL,
    kind character varying(16) NOT NULL,
    size character varying(8),
    quantity integer NOT NULL,
    unit_price_cents integer NOT NULL,
    engraved boolean NOT NULL,
    made_to_measure boolean NOT NULL,
    discounted boolean NOT NULL
);

-- Name: order_lines_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.order_lines_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: order_lines_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.order_lines_id_seq OWNED BY public.order_lines.id;

-- Name: orders; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.orders (
    id integer NOT NULL,
    number character varying(6) NOT NULL,
    customer_id integer NOT NULL,
    status character varying(32) NOT NULL,
    status_changed_at timestamp without time zone NOT NULL,
    placed_at timestamp without time zone NOT NULL,
    payment_method character varying(32) NOT NULL,
    total_cents integer NOT NULL,
    shipping_cents integer NOT NULL,
    shipping_country character varying(2) NOT NULL,
    carrier character varying(32) NOT NULL,
    promo_code_id integer,
    cancelled_at timestamp without time zone
);

-- Name: orders_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.orders_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: orders_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.orders_id_seq OWNED BY public.orders.id;

-- Name: promo_code_uses; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.promo_code_uses (
    id integer NOT NULL,
    promo_code_id integer NOT NULL,
    customer_id integer NOT NULL,
    order_id integer,
    used_at timestamp without time zone NOT NULL
);

-- Name: promo_code_uses_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.promo_code_uses_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: promo_code_uses_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.promo_code_uses_id_seq OWNED BY public.promo_code_uses.id;

-- Name: promo_codes; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.promo_codes (
    id integer NOT NULL,
    code character varying(32) NOT NULL,
    kind character varying(16) NOT NULL,
    value integer NOT NULL,
    valid_from timestamp without time zone NOT NULL,
    valid_until timestamp without time zone NOT NULL,
    min_basket_cents integer NOT NULL,
    single_use boolean NOT NULL,
    customer_id integer,
    applies_to_discounted boolean NOT NULL,
    active boolean NOT NULL
);

-- Name: promo_codes_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.promo_codes_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: promo_codes_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.promo_codes_id_seq OWNED BY public.promo_codes.id;

-- Name: review_labels; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.review_labels (
    id integer NOT NULL,
    turn_id integer NOT NULL,
    kind character varying(16) NOT NULL,
    value character varying(160),
    editor character varying(80) NOT NULL,
    created_at timestamp without time zone NOT NULL,
    undone_at timestamp without time zone
);

-- Name: review_labels_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.review_labels_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: review_labels_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.review_labels_id_seq OWNED BY public.review_labels.id;

-- Name: shipments; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.shipments (
    id integer NOT NULL,
    order_id integer NOT NULL,
    carrier character varying(32) NOT NULL,
    tracking_number character varying(64) NOT NULL,
    destination_country character varying(2) NOT NULL,
    shipped_at timestamp without time zone NOT NULL,
    delivered_at timestamp without time zone
);

-- Name: shipments_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.shipments_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: shipments_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.shipments_id_seq OWNED BY public.shipments.id;

-- Name: tickets; Type: TABLE; Schema: public; Owner: -

CREATE TABLE public.tickets (
    id integer NOT NULL,
    number character varying(16),
    kind character varying(32) NOT NULL,
    order_id integer,
    customer_id integer,
    conversation_id character varying(128),
    facts json NOT NULL,
    outcome character varying(64),
    reason_code character varying(64),
    clause text,
    priority integer NOT NULL,
    status character varying(16) NOT NULL,
    assignee character varying(80),
    created_at timestamp without time zone NOT NULL,
    due_at timestamp without time zone NOT NULL
);

-- Name: tickets_id_seq; Type: SEQUENCE; Schema: public; Owner: -

CREATE SEQUENCE public.tickets_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

-- Name: tickets_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: -

ALTER SEQUENCE public.tickets_id_seq OWNED BY public.tickets.id;

-- Name: audit_events id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.audit_events ALTER COLUMN id SET DEFAULT nextval('public.audit_events_id_seq'::regclass);

-- Name: bot_turns id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.bot_turns ALTER COLUMN id SET DEFAULT nextval('public.bot_turns_id_seq'::regclass);

-- Name: customers id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.customers ALTER COLUMN id SET DEFAULT nextval('public.customers_id_seq'::regclass);

-- Name: desk_agent_notes id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_agent_notes ALTER COLUMN id SET DEFAULT nextval('public.desk_agent_notes_id_seq'::regclass);

-- Name: desk_agents id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_agents ALTER COLUMN id SET DEFAULT nextval('public.desk_agents_id_seq'::regclass);

-- Name: desk_feedback id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_feedback ALTER COLUMN id SET DEFAULT nextval('public.desk_feedback_id_seq'::regclass);

-- Name: desk_handoffs id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_handoffs ALTER COLUMN id SET DEFAULT nextval('public.desk_handoffs_id_seq'::regclass);

-- Name: desk_login_failures id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_login_failures ALTER COLUMN id SET DEFAULT nextval('public.desk_login_failures_id_seq'::regclass);

-- Name: desk_messages id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_messages ALTER COLUMN id SET DEFAULT nextval('public.desk_messages_id_seq'::regclass);

-- Name: events id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.events ALTER COLUMN id SET DEFAULT nextval('public.events_id_seq'::regclass);

-- Name: identity_failures id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.identity_failures ALTER COLUMN id SET DEFAULT nextval('public.identity_failures_id_seq'::regclass);

-- Name: order_lines id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.order_lines ALTER COLUMN id SET DEFAULT nextval('public.order_lines_id_seq'::regclass);

-- Name: orders id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.orders ALTER COLUMN id SET DEFAULT nextval('public.orders_id_seq'::regclass);

-- Name: promo_code_uses id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_code_uses ALTER COLUMN id SET DEFAULT nextval('public.promo_code_uses_id_seq'::regclass);

-- Name: promo_codes id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_codes ALTER COLUMN id SET DEFAULT nextval('public.promo_codes_id_seq'::regclass);

-- Name: review_labels id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.review_labels ALTER COLUMN id SET DEFAULT nextval('public.review_labels_id_seq'::regclass);

-- Name: shipments id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.shipments ALTER COLUMN id SET DEFAULT nextval('public.shipments_id_seq'::regclass);

-- Name: tickets id; Type: DEFAULT; Schema: public; Owner: -

ALTER TABLE ONLY public.tickets ALTER COLUMN id SET DEFAULT nextval('public.tickets_id_seq'::regclass);

-- Data for Name: audit_events; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: bot_turns; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.bot_turns VALUES (1, 'c0nv-previous-release', 'merci beaucoup', 'thank', 0.97, NULL, NULL, '[]', '["utter_thank"]', NULL, NULL, '2026-11-20 09:31:00');

-- Data for Name: customers; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.customers VALUES (1, 'claire.martin@example.fr', 'Claire', 'Martin', '69002', 120);

-- Data for Name: desk_agent_notes; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: desk_agents; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.desk_agents VALUES (1, 'camille', 'scrypt$not-a-real-hash', 'Camille', '2026-11-20 09:30:00', 'agent');

-- Data for Name: desk_console_sessions; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.desk_console_sessions VALUES ('0000000000000000000000000000000000000000000000000000000000000000', 1, '2026-11-20 09:30:00', '2026-11-20 09:30:00', NULL);

-- Data for Name: desk_conversations; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.desk_conversations VALUES ('c0nv-previous-release', 'BOT', NULL, '2026-11-20 09:30:00', '2026-11-20 09:30:02');

-- Data for Name: desk_feedback; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.desk_feedback VALUES (1, 'c0nv-previous-release', 2, 'answer', 1, 'track_order', NULL, '2026-11-20 09:31:00');

-- Data for Name: desk_handoffs; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: desk_login_failures; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: desk_messages; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.desk_messages VALUES (1, 'c0nv-previous-release', 'SHOPPER', NULL, 'Bonjour, où en est ma commande 474918 ?', NULL, NULL, NULL, NULL, true, '2026-11-20 09:30:00', NULL);
INSERT INTO public.desk_messages VALUES (2, 'c0nv-previous-release', 'BOT', NULL, 'Votre commande est partie le 20 novembre avec Colissimo.', NULL, NULL, 'track_order', 0.93, NULL, '2026-11-20 09:30:02', NULL);

-- Data for Name: events; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.events VALUES (1, 'c0nv-previous-release', 'user', 1795167000, 'track_order', NULL, '{"event": "user", "text": "Bonjour"}');

-- Data for Name: identity_failures; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: order_lines; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.order_lines VALUES (1, 1, 1, 'BG-OR-52', 'Bague solitaire or', 'RING', '52', 1, 18900, false, false, false);

-- Data for Name: orders; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.orders VALUES (1, '474918', 1, 'SHIPPED', '2026-11-20 09:30:00', '2026-11-17 09:30:00', 'CARD', 18900, 0, 'FR', 'colissimo', NULL, NULL);

-- Data for Name: promo_code_uses; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: promo_codes; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: review_labels; Type: TABLE DATA; Schema: public; Owner: -

-- Data for Name: shipments; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.shipments VALUES (1, 1, 'colissimo', '6A12345678901', 'FR', '2026-11-20 09:30:00', NULL);

-- Data for Name: tickets; Type: TABLE DATA; Schema: public; Owner: -

INSERT INTO public.tickets VALUES (1, 'T-260001', 'lost_parcel', 1, 1, 'c0nv-previous-release', '{"carrier": "colissimo"}', 'open_inquiry', 'parcel_late', NULL, 1, 'OPEN', NULL, '2026-11-20 09:30:00', '2026-11-22 09:30:00');

-- Name: audit_events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.audit_events_id_seq', 1, false);

-- Name: bot_turns_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.bot_turns_id_seq', 1, true);

-- Name: customers_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.customers_id_seq', 1, true);

-- Name: desk_agent_notes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_agent_notes_id_seq', 1, false);

-- Name: desk_agents_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_agents_id_seq', 1, true);

-- Name: desk_feedback_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_feedback_id_seq', 1, true);

-- Name: desk_handoffs_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_handoffs_id_seq', 1, false);

-- Name: desk_login_failures_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_login_failures_id_seq', 1, false);

-- Name: desk_messages_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.desk_messages_id_seq', 2, true);

-- Name: events_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.events_id_seq', 1, true);

-- Name: identity_failures_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.identity_failures_id_seq', 1, false);

-- Name: order_lines_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.order_lines_id_seq', 1, true);

-- Name: orders_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.orders_id_seq', 1, true);

-- Name: promo_code_uses_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.promo_code_uses_id_seq', 1, false);

-- Name: promo_codes_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.promo_codes_id_seq', 1, false);

-- Name: review_labels_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.review_labels_id_seq', 1, false);

-- Name: shipments_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.shipments_id_seq', 1, true);

-- Name: tickets_id_seq; Type: SEQUENCE SET; Schema: public; Owner: -

SELECT pg_catalog.setval('public.tickets_id_seq', 1, true);

-- Name: audit_events audit_events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.audit_events
    ADD CONSTRAINT audit_events_pkey PRIMARY KEY (id);

-- Name: bot_turns bot_turns_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.bot_turns
    ADD CONSTRAINT bot_turns_pkey PRIMARY KEY (id);

-- Name: customers customers_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.customers
    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);

-- Name: desk_agent_notes desk_agent_notes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_agent_notes
    ADD CONSTRAINT desk_agent_notes_pkey PRIMARY KEY (id);

-- Name: desk_agents desk_agents_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_agents
    ADD CONSTRAINT desk_agents_pkey PRIMARY KEY (id);

-- Name: desk_console_sessions desk_console_sessions_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_console_sessions
    ADD CONSTRAINT desk_console_sessions_pkey PRIMARY KEY (id);

-- Name: desk_conversations desk_conversations_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_conversations
    ADD CONSTRAINT desk_conversations_pkey PRIMARY KEY (id);

-- Name: desk_feedback desk_feedback_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_feedback
    ADD CONSTRAINT desk_feedback_pkey PRIMARY KEY (id);

-- Name: desk_handoffs desk_handoffs_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_handoffs
    ADD CONSTRAINT desk_handoffs_pkey PRIMARY KEY (id);

-- Name: desk_login_failures desk_login_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_login_failures
    ADD CONSTRAINT desk_login_failures_pkey PRIMARY KEY (id);

-- Name: desk_messages desk_messages_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_messages
    ADD CONSTRAINT desk_messages_pkey PRIMARY KEY (id);

-- Name: events events_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.events
    ADD CONSTRAINT events_pkey PRIMARY KEY (id);

-- Name: identity_failures identity_failures_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.identity_failures
    ADD CONSTRAINT identity_failures_pkey PRIMARY KEY (id);

-- Name: order_lines order_lines_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_pkey PRIMARY KEY (id);

-- Name: orders orders_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);

-- Name: promo_code_uses promo_code_uses_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_code_uses
    ADD CONSTRAINT promo_code_uses_pkey PRIMARY KEY (id);

-- Name: promo_codes promo_codes_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_codes
    ADD CONSTRAINT promo_codes_pkey PRIMARY KEY (id);

-- Name: review_labels review_labels_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.review_labels
    ADD CONSTRAINT review_labels_pkey PRIMARY KEY (id);

-- Name: shipments shipments_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_pkey PRIMARY KEY (id);

-- Name: tickets tickets_pkey; Type: CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_pkey PRIMARY KEY (id);

-- Name: ix_audit_events_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_audit_events_at ON public.audit_events USING btree (at);

-- Name: ix_audit_events_target; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_audit_events_target ON public.audit_events USING btree (target);

-- Name: ix_bot_turns_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_bot_turns_conversation_id ON public.bot_turns USING btree (conversation_id);

-- Name: ix_bot_turns_created_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_bot_turns_created_at ON public.bot_turns USING btree (created_at);

-- Name: ix_bot_turns_doubt; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_bot_turns_doubt ON public.bot_turns USING btree (doubt);

-- Name: ix_bot_turns_faq_entry; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_bot_turns_faq_entry ON public.bot_turns USING btree (faq_entry);

-- Name: ix_bot_turns_intent; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_bot_turns_intent ON public.bot_turns USING btree (intent);

-- Name: ix_customers_email; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_customers_email ON public.customers USING btree (email);

-- Name: ix_desk_agent_notes_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_agent_notes_conversation_id ON public.desk_agent_notes USING btree (conversation_id);

-- Name: ix_desk_agents_username; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_desk_agents_username ON public.desk_agents USING btree (username);

-- Name: ix_desk_console_sessions_agent_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_console_sessions_agent_id ON public.desk_console_sessions USING btree (agent_id);

-- Name: ix_desk_conversations_updated_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_conversations_updated_at ON public.desk_conversations USING btree (updated_at);

-- Name: ix_desk_feedback_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_feedback_conversation_id ON public.desk_feedback USING btree (conversation_id);

-- Name: ix_desk_feedback_created_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_feedback_created_at ON public.desk_feedback USING btree (created_at);

-- Name: ix_desk_feedback_message_id; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_desk_feedback_message_id ON public.desk_feedback USING btree (message_id);

-- Name: ix_desk_feedback_topic; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_feedback_topic ON public.desk_feedback USING btree (topic);

-- Name: ix_desk_handoffs_closed_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_handoffs_closed_at ON public.desk_handoffs USING btree (closed_at);

-- Name: ix_desk_handoffs_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_handoffs_conversation_id ON public.desk_handoffs USING btree (conversation_id);

-- Name: ix_desk_handoffs_ticket_number; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_handoffs_ticket_number ON public.desk_handoffs USING btree (ticket_number);

-- Name: ix_desk_login_failures_address; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_login_failures_address ON public.desk_login_failures USING btree (address);

-- Name: ix_desk_login_failures_failed_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_login_failures_failed_at ON public.desk_login_failures USING btree (failed_at);

-- Name: ix_desk_login_failures_username; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_login_failures_username ON public.desk_login_failures USING btree (username);

-- Name: ix_desk_messages_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_messages_conversation_id ON public.desk_messages USING btree (conversation_id);

-- Name: ix_desk_messages_intent; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_desk_messages_intent ON public.desk_messages USING btree (intent);

-- Name: ix_events_sender_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_events_sender_id ON public.events USING btree (sender_id);

-- Name: ix_identity_failures_client_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_identity_failures_client_at ON public.identity_failures USING btree (client_digest, at);

-- Name: ix_identity_failures_email_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_identity_failures_email_at ON public.identity_failures USING btree (email_digest, at);

-- Name: ix_identity_failures_number_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_identity_failures_number_at ON public.identity_failures USING btree (order_number, at);

-- Name: ix_order_lines_order_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_order_lines_order_id ON public.order_lines USING btree (order_id);

-- Name: ix_orders_number; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_orders_number ON public.orders USING btree (number);

-- Name: ix_promo_code_uses_promo_code_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_promo_code_uses_promo_code_id ON public.promo_code_uses USING btree (promo_code_id);

-- Name: ix_promo_codes_code; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_promo_codes_code ON public.promo_codes USING btree (code);

-- Name: ix_review_labels_turn_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_review_labels_turn_id ON public.review_labels USING btree (turn_id);

-- Name: ix_review_labels_undone_at; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_review_labels_undone_at ON public.review_labels USING btree (undone_at);

-- Name: ix_shipments_order_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_shipments_order_id ON public.shipments USING btree (order_id);

-- Name: ix_tickets_conversation_id; Type: INDEX; Schema: public; Owner: -

CREATE INDEX ix_tickets_conversation_id ON public.tickets USING btree (conversation_id);

-- Name: ix_tickets_number; Type: INDEX; Schema: public; Owner: -

CREATE UNIQUE INDEX ix_tickets_number ON public.tickets USING btree (number);

-- Name: desk_agent_notes desk_agent_notes_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_agent_notes
    ADD CONSTRAINT desk_agent_notes_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.desk_conversations(id);

-- Name: desk_console_sessions desk_console_sessions_agent_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_console_sessions
    ADD CONSTRAINT desk_console_sessions_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES public.desk_agents(id);

-- Name: desk_feedback desk_feedback_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_feedback
    ADD CONSTRAINT desk_feedback_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.desk_conversations(id);

-- Name: desk_feedback desk_feedback_message_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_feedback
    ADD CONSTRAINT desk_feedback_message_id_fkey FOREIGN KEY (message_id) REFERENCES public.desk_messages(id);

-- Name: desk_handoffs desk_handoffs_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_handoffs
    ADD CONSTRAINT desk_handoffs_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.desk_conversations(id);

-- Name: desk_messages desk_messages_conversation_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.desk_messages
    ADD CONSTRAINT desk_messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES public.desk_conversations(id);

-- Name: order_lines order_lines_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

-- Name: order_lines order_lines_shipment_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.order_lines
    ADD CONSTRAINT order_lines_shipment_id_fkey FOREIGN KEY (shipment_id) REFERENCES public.shipments(id);

-- Name: orders orders_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

-- Name: orders orders_promo_code_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.orders
    ADD CONSTRAINT orders_promo_code_id_fkey FOREIGN KEY (promo_code_id) REFERENCES public.promo_codes(id);

-- Name: promo_code_uses promo_code_uses_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_code_uses
    ADD CONSTRAINT promo_code_uses_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

-- Name: promo_code_uses promo_code_uses_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_code_uses
    ADD CONSTRAINT promo_code_uses_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

-- Name: promo_code_uses promo_code_uses_promo_code_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_code_uses
    ADD CONSTRAINT promo_code_uses_promo_code_id_fkey FOREIGN KEY (promo_code_id) REFERENCES public.promo_codes(id);

-- Name: promo_codes promo_codes_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.promo_codes
    ADD CONSTRAINT promo_codes_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

-- Name: review_labels review_labels_turn_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.review_labels
    ADD CONSTRAINT review_labels_turn_id_fkey FOREIGN KEY (turn_id) REFERENCES public.bot_turns(id);

-- Name: shipments shipments_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.shipments
    ADD CONSTRAINT shipments_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

-- Name: tickets tickets_customer_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_customer_id_fkey FOREIGN KEY (customer_id) REFERENCES public.customers(id);

-- Name: tickets tickets_order_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -

ALTER TABLE ONLY public.tickets
    ADD CONSTRAINT tickets_order_id_fkey FOREIGN KEY (order_id) REFERENCES public.orders(id);

-- PostgreSQL database dump complete
