--
-- PostgreSQL database dump
--

\restrict earshotfixture

-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: artist; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.artist (
    id text NOT NULL,
    name text NOT NULL,
    genres text[]
);


--
-- Name: audio_features; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.audio_features (
    track_id text NOT NULL,
    danceability real,
    energy real,
    key integer,
    loudness real,
    mode integer,
    speechiness real,
    acousticness real,
    instrumentalness real,
    liveness real,
    valence real,
    tempo real,
    time_signature integer,
    analysis_url text
);


--
-- Name: track; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.track (
    id text NOT NULL,
    name text NOT NULL,
    album text,
    artist_ids text[] NOT NULL,
    popularity integer,
    duration_ms integer,
    explicit boolean,
    release_date date
);


--
-- Data for Name: artist; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.artist (id, name, genres) FROM stdin;
0SeedFixtureArtist0001	Sigur Rós	{"icelandic rock",post-rock}
0SeedFixtureArtist0002	Beyoncé	{pop,r&b,"hip hop"}
0SeedFixtureArtist0003	Back\\slash "Quoted" Band	{"rock, indie","say \\"hi\\"","back\\\\slash",pop}
0SeedFixtureArtist0004	YOASOBI	{j-pop}
0SeedFixtureArtist0005	Tab\tArtist	\N
0SeedFixtureArtist0006	Null Element	{NULL,"NULL",ambient}
0SeedFixtureArtist0007	No Genres	{}
\.


--
-- Data for Name: audio_features; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.audio_features (track_id, danceability, energy, key, loudness, mode, speechiness, acousticness, instrumentalness, liveness, valence, tempo, time_signature, analysis_url) FROM stdin;
0SeedFixtureTrack00001	0.25	0.5	1	-8.5	1	0.03125	0.75	0.875	0.125	0.0625	81.5	4	https://api.spotify.com/v1/audio-analysis/0SeedFixtureTrack00001
0SeedFixtureTrack00002	0.5	0.625	5	-6.25	0	0.046	0.0099	1.01e-06	0.2	0.4	140.25	4	\N
0SeedFixtureTrack00003	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N	\N
0SeedFixtureTrack00005	0.1	0.2	0	-20	1	0.03	0.9	0.8	0.1	0.05	\N	3	\N
\.


--
-- Data for Name: track; Type: TABLE DATA; Schema: public; Owner: -
--

COPY public.track (id, name, album, artist_ids, popularity, duration_ms, explicit, release_date) FROM stdin;
0SeedFixtureTrack00001	Hoppípolla	Takk...	{0SeedFixtureArtist0001}	62	268000	f	2005-09-12
0SeedFixtureTrack00002	Drunk in Love (feat. Jay-Z)	BEYONCÉ [Platinum Edition]	{0SeedFixtureArtist0002,0SeedFixtureArtist0003,0SeedFixtureArtist0001}	80	323480	t	\N
0SeedFixtureTrack00003	Line\nbreak\tand \\ backslash "quoted"	\N	{0SeedFixtureArtist0003}	10	1000	f	\N
0SeedFixtureTrack00004	夜に駆ける	THE BOOK	{0SeedFixtureArtist0004,0SeedFixtureArtist0005}	75	261000	f	2021-01-06
0SeedFixtureTrack00005	Partial Features	Ambient Works	{0SeedFixtureArtist0006,0SeedFixtureArtist0007}	5	420000	f	\N
0SeedFixtureTrack00006	Ghost Credit	Takk...	{0SeedFixtureArtist0001,0SeedFixtureMissing999}	\N	200000	f	\N
\.


--
-- Name: artist artist_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.artist
    ADD CONSTRAINT artist_pkey PRIMARY KEY (id);


--
-- Name: audio_features audio_features_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audio_features
    ADD CONSTRAINT audio_features_pkey PRIMARY KEY (track_id);


--
-- Name: track track_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.track
    ADD CONSTRAINT track_pkey PRIMARY KEY (id);


--
-- Name: audio_features audio_features_track_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.audio_features
    ADD CONSTRAINT audio_features_track_id_fkey FOREIGN KEY (track_id) REFERENCES public.track(id);


--
-- PostgreSQL database dump complete
--

\unrestrict earshotfixture

