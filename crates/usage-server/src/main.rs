//! `usage-server`: runs the API (optionally with demo data) or manages tokens.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use usage_server::{AppOptions, AppState, Bound, PortalConfig, auth, db, demo, reports};

#[derive(Parser)]
#[command(version, about = "Reference Usage API server")]
struct Cli {
    /// The database: a SQLite file (created and migrated on first run), or a PostgreSQL URL
    /// (`postgres://user:password@host:port/database`, migrated on first run).
    #[arg(long, env = "USAGE_DB", default_value = "data/usage.db", global = true)]
    db: String,
    /// A PEM file of root certificates to trust for PostgreSQL's TLS certificate, beside the
    /// system's (a private CA). The certificate is always checked (its chain and host name);
    /// the URL's sslmode says whether TLS is used: disable; prefer, the default (TLS when the
    /// server offers it and its certificate passes, else without); require (TLS or nothing).
    #[arg(long, env = "USAGE_DB_CA_FILE", global = true)]
    db_ca_file: Option<PathBuf>,
    /// Lifetime of a new token (create-token's and the --demo one): seconds, or a number with
    /// s, m, h or d; 0 never expires.
    #[arg(long, env = "USAGE_TOKEN_TTL", default_value = "90d", value_parser = auth::parse_ttl, global = true)]
    token_ttl: u64,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "USAGE_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The built portal to serve (trunk's dist/).
    #[arg(long, env = "USAGE_STATIC_DIR", default_value = "dist")]
    static_dir: PathBuf,
    /// The folder report files are kept in, unless --report-store names another store.
    #[arg(long, env = "USAGE_REPORT_DIR", default_value = "data/reports")]
    report_dir: PathBuf,
    /// Where report files are kept instead of --report-dir, so that every replica serves every
    /// download: s3://BUCKET[/PREFIX], S3 or an S3-compatible service, configured by the usual
    /// AWS_* variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, or the
    /// instance's role; AWS_REGION; AWS_ENDPOINT_URL for MinIO or another S3-compatible
    /// endpoint, with AWS_ALLOW_HTTP=true if it is plain HTTP); or file:///ABSOLUTE/FOLDER.
    /// On S3, add a lifecycle rule that aborts incomplete multipart uploads after a day: a
    /// replica killed mid-report leaves one.
    #[arg(long, env = "USAGE_REPORT_STORE")]
    report_store: Option<String>,
    /// Load demo data (if not there yet), create a token and write the portal's config.json.
    #[arg(long)]
    demo: bool,
    /// Number of demo usage records (10000 to 10000000).
    #[arg(long, default_value_t = 300_000)]
    demo_records: u64,
    /// End of the demo data (yyyy-MM-dd[THH:mm:ss], UTC); default now.
    #[arg(long)]
    demo_until: Option<String>,
    /// Where the demo writes the portal's runtime config; default <static-dir>/config.json.
    #[arg(long)]
    portal_config: Option<PathBuf>,
    /// Serve the portal under this path (e.g. /admin/usage) instead of the root.
    #[arg(long)]
    base_path: Option<String>,
    /// Serve the portal's HTML without the strict Content-Security-Policy (for development
    /// only; framing stays restricted by --frame-ancestors).
    #[arg(long, env = "USAGE_NO_STRICT_CSP")]
    no_strict_csp: bool,
    /// The strict policy is the default now; the flag is still taken so that existing command
    /// lines keep working.
    #[arg(long, hide = true, conflicts_with = "no_strict_csp")]
    strict_csp: bool,
    /// A site allowed to show the portal in a frame: an origin such as
    /// https://admin.example.com, or 'self' (repeat it, or comma separated); default none.
    #[arg(long = "frame-ancestors", env = "USAGE_FRAME_ANCESTORS", value_delimiter = ',', value_parser = usage_server::framing::parse_source)]
    frame_ancestors: Vec<String>,
    /// A file with the download-signing key in hex (32 bytes or more), instead of
    /// USAGE_SIGNING_KEY; without either the key kept in the database is used.
    #[arg(long, env = "USAGE_SIGNING_KEY_FILE")]
    signing_key_file: Option<PathBuf>,
    /// A file with the previous signing key in hex, instead of USAGE_SIGNING_KEY_PREVIOUS:
    /// links it signed keep working until they expire (15 minutes), new ones use the current.
    #[arg(long, env = "USAGE_SIGNING_KEY_PREVIOUS_FILE")]
    signing_key_previous_file: Option<PathBuf>,
    /// A CORS origin allowed to call the API (repeat it; `*` for any).
    #[arg(
        long = "cors-origin",
        env = "USAGE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
    /// Reports generated at once, across all realms.
    #[arg(long, env = "USAGE_REPORT_WORKERS", default_value_t = 2)]
    report_workers: usize,
    /// Reports one realm may have in progress at once (one more is a 429).
    #[arg(long, env = "USAGE_REPORTS_IN_PROGRESS_MAX", default_value_t = usage_api::limits::REPORTS_IN_PROGRESS_MAX)]
    reports_in_progress_max: u32,
    /// Longest one run of a report may take, in seconds (then it counts as a failed attempt).
    #[arg(long, env = "USAGE_REPORT_DEADLINE_SECS", default_value_t = usage_api::limits::REPORT_DEADLINE_SECS)]
    report_deadline_secs: u64,
    /// Runs a report gets, across restarts, before it is marked failed.
    #[arg(long, env = "USAGE_REPORT_ATTEMPTS", default_value_t = usage_api::limits::REPORT_MAX_ATTEMPTS)]
    report_attempts: u32,
    /// Days a report and its file are kept once it is completed or failed.
    #[arg(long, env = "USAGE_REPORT_RETENTION_DAYS", default_value_t = usage_api::limits::REPORT_RETENTION_DAYS)]
    report_retention_days: u64,
    /// Seconds a running report stays its worker's without a renewal (renewed every third of
    /// it); a report whose lease runs out lost its worker and is taken by another, on this
    /// server or another replica.
    #[arg(long, env = "USAGE_REPORT_LEASE_SECS", default_value_t = 30)]
    report_lease_secs: u64,
    /// Seconds between two sweeps of expired reports (there is one at start too).
    #[arg(long, env = "USAGE_REPORT_SWEEP_SECS", default_value_t = 3_600)]
    report_sweep_secs: u64,
    /// SQLite connections in the pool.
    #[arg(long, env = "USAGE_DB_POOL_SIZE", default_value_t = db::PoolOptions::default().max_size)]
    db_pool_size: u32,
    /// Milliseconds a request waits for a pooled connection before it is a 503 with Retry-After.
    #[arg(long, env = "USAGE_DB_POOL_TIMEOUT_MS", default_value_t = db::PoolOptions::default().connection_timeout.as_millis() as u64)]
    db_pool_timeout_ms: u64,
    /// Seconds a client has to read a whole usage CSV before it is cut off.
    #[arg(long, env = "USAGE_CSV_DEADLINE_SECS", default_value_t = usage_server::streams::CSV_DEADLINE_DEFAULT.as_secs())]
    csv_deadline_secs: u64,
    /// Usage CSVs one token may stream at once (one more is a 429 with Retry-After).
    #[arg(long, env = "USAGE_CSV_STREAMS_PER_TOKEN", default_value_t = usage_api::limits::CSV_STREAMS_PER_TOKEN)]
    csv_streams_per_token: usize,
    /// Seconds a client has to send a request's headers before its connection is cut
    /// (against slowloris).
    #[arg(long, env = "USAGE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    header_read_timeout_secs: u64,
    /// Seconds a request's handler has to answer before it is a 503 with Retry-After (a CSV or
    /// report download streamed after the answer has its own deadline); 0 for none.
    #[arg(long, env = "USAGE_REQUEST_TIMEOUT_SECS", default_value_t = 30)]
    request_timeout_secs: u64,
    /// Requests handled at once; one more is a 503 with Retry-After at once (the health
    /// endpoints and /metrics are not counted); 0 for no limit.
    #[arg(long, env = "USAGE_MAX_IN_FLIGHT", default_value_t = 512)]
    max_in_flight: usize,
    /// Requests per second one token may send on average, on this replica (each replica counts
    /// its own); over it a 429 with Retry-After. 0 for no limit.
    #[arg(long, env = "USAGE_RATE_LIMIT_PER_SEC", default_value_t = 500)]
    rate_limit_per_sec: u32,
    /// Requests one token may send at once after a quiet spell (the rate limit's burst).
    #[arg(long, env = "USAGE_RATE_LIMIT_BURST", default_value_t = 1_000)]
    rate_limit_burst: u32,
    /// Seconds in-flight requests get to finish after SIGTERM or SIGINT; the rest are cut.
    #[arg(long, env = "USAGE_SHUTDOWN_DEADLINE_SECS", default_value_t = 20)]
    shutdown_deadline_secs: u64,
    /// Serve GET /metrics on this address instead of the API's.
    #[arg(long, env = "USAGE_METRICS_LISTEN", conflicts_with = "no_metrics")]
    metrics_listen: Option<SocketAddr>,
    /// Serve no /metrics at all.
    #[arg(long, env = "USAGE_NO_METRICS")]
    no_metrics: bool,
    /// Log lines as text (the default) or as JSON objects, one a line.
    #[arg(long, env = "USAGE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    /// Recordings (POST /usages) that may wait for the writer; one more is a 503 with Retry-After.
    #[arg(long, env = "USAGE_WRITE_QUEUE", default_value_t = usage_server::group_commit::WriterOptions::default().queue)]
    write_queue: usize,
    /// Most recordings committed in one transaction.
    #[arg(long, env = "USAGE_WRITE_BATCH_MAX", default_value_t = usage_server::group_commit::WriterOptions::default().max_batch)]
    write_batch_max: usize,
    /// Microseconds a batch of recordings waits for more to join it once none are queued.
    #[arg(long, env = "USAGE_WRITE_BATCH_WAIT_US", default_value_t = usage_server::group_commit::WriterOptions::default().max_wait.as_micros() as u64)]
    write_batch_wait_us: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the portal (the default).
    Serve,
    /// Create a bearer token for an org and print it.
    CreateToken {
        /// The org's realm id.
        #[arg(long)]
        realm: String,
        /// Scopes, comma separated.
        #[arg(
            long,
            value_delimiter = ',',
            default_value = "usage:read,reports:write,usages:write,express-accounts-usage:read,budgets:write"
        )]
        scopes: Vec<String>,
        /// A note to tell tokens apart.
        #[arg(long, default_value = "")]
        label: String,
        /// Lifetime of this token (seconds, or with s, m, h or d); default --token-ttl.
        #[arg(long, value_parser = auth::parse_ttl)]
        ttl: Option<u64>,
        /// Make a token that never expires.
        #[arg(long, conflicts_with = "ttl")]
        no_expiry: bool,
    },
    /// List the tokens (never their secrets).
    ListTokens {
        /// Only this realm's tokens.
        #[arg(long)]
        realm: Option<String>,
        /// One JSON array instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Revoke tokens: the one with this id (or id prefix, from list-tokens), or every token
    /// with a label.
    RevokeToken {
        /// The token's id or a prefix of it (the token itself, upt_…, is taken too).
        #[arg(required_unless_present = "label", conflicts_with = "label")]
        id: Option<String>,
        /// Revoke every token with this label.
        #[arg(long)]
        label: Option<String>,
        /// With --label: only this realm's tokens.
        #[arg(long, requires = "label")]
        realm: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    // The server logs to stdout; a token subcommand to stderr, as its stdout is what a script
    // takes (create-token's token, list-tokens --json), which a line of the start's log (a
    // migration, PostgreSQL connected without TLS) must not break.
    let writer = match cli.command {
        None | Some(Command::Serve) => BoxMakeWriter::new(std::io::stdout),
        Some(_) => BoxMakeWriter::new(std::io::stderr),
    };
    match cli.serve.log_format {
        LogFormat::Text => tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(writer)
            .init(),
        // Fields at the top level, where a log pipeline looks for them.
        LogFormat::Json => tracing_subscriber::fmt()
            .json()
            .flatten_event(true)
            .with_env_filter(filter)
            .with_writer(writer)
            .init(),
    }
    let pool_options = db::PoolOptions {
        max_size: cli.serve.db_pool_size.max(1),
        connection_timeout: std::time::Duration::from_millis(cli.serve.db_pool_timeout_ms),
    };
    // Read here, whichever the database: a bad file stops the start, naming it.
    let tls = db::PgTls::new(cli.db_ca_file.as_deref())?;
    if cli.db_ca_file.is_some() && !db::is_postgres_url(&cli.db) {
        tracing::warn!("--db-ca-file is for PostgreSQL; the SQLite database does not use it");
    }
    let pool = db::off_runtime(|| db::open_url_tls(&cli.db, &pool_options, &tls))?;
    match cli.command {
        Some(Command::CreateToken {
            realm,
            scopes,
            label,
            ttl,
            no_expiry,
        }) => {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let ttl = if no_expiry {
                0
            } else {
                ttl.unwrap_or(cli.token_ttl)
            };
            let (token, expires) = db::off_runtime(|| {
                auth::create_token_for(&mut pool.get()?.conn(), &realm, &scopes, &label, ttl)
            })?;
            // Only the token on stdout, so that a script can take it as it is.
            println!("{token}");
            eprintln!("Expires: {}", when(expires));
            Ok(())
        }
        Some(Command::ListTokens { realm, json }) => {
            let tokens =
                db::off_runtime(|| auth::list_tokens(&mut pool.get()?.conn(), realm.as_deref()))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&tokens)?);
            } else {
                println!("ID\tREALM\tLABEL\tSCOPES\tCREATED\tEXPIRES\tREVOKED");
                for t in tokens {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        t.id,
                        t.realm_id,
                        t.label,
                        t.scopes.join(","),
                        when(Some(t.created)),
                        when(t.expires),
                        t.revoked.map_or_else(|| "-".to_owned(), |r| when(Some(r))),
                    );
                }
            }
            Ok(())
        }
        Some(Command::RevokeToken { id, label, realm }) => {
            let which = match (&id, &label) {
                (Some(t), _) if t.starts_with("upt_") => auth::Revoke::Token(t),
                (Some(id), _) => auth::Revoke::Id(id),
                (None, Some(label)) => auth::Revoke::Label {
                    label,
                    realm_id: realm.as_deref(),
                },
                (None, None) => anyhow::bail!("give a token id or --label"),
            };
            let revoked = db::off_runtime(|| auth::revoke_tokens(&mut pool.get()?.conn(), which))?;
            if revoked.is_empty() {
                println!("Already revoked; nothing to do.");
            }
            for t in revoked {
                println!(
                    "Revoked {} (realm {}, label '{}')",
                    t.id, t.realm_id, t.label
                );
            }
            Ok(())
        }
        None | Some(Command::Serve) => serve(pool, cli.serve, cli.token_ttl).await,
    }
}

/// A Unix time as the contract writes it, or `never`.
fn when(t: Option<i64>) -> String {
    t.and_then(usage_api::Timestamp::from_unix)
        .map_or_else(|| "never".to_owned(), |t| t.to_string())
}

async fn serve(pool: db::Pool, args: ServeArgs, token_ttl: u64) -> anyhow::Result<()> {
    usage_server::framing::check_sources(&args.frame_ancestors)?;
    // Read once, here: a bad key file stops the start instead of failing every download.
    let key_config = usage_server::signing::KeyConfig {
        current_hex: env_secret("USAGE_SIGNING_KEY")?,
        current_file: args.signing_key_file.clone(),
        previous_hex: env_secret("USAGE_SIGNING_KEY_PREVIOUS")?,
        previous_file: args.signing_key_previous_file.clone(),
    };
    let signing = db::off_runtime(|| {
        usage_server::signing::SigningKeys::configured(&key_config, &mut pool.get()?.conn())
    })?;
    if signing.has_previous() {
        tracing::info!(
            minutes = usage_server::signing::LINK_TTL_SECS / 60,
            "the previous signing key still verifies; once every link it signed has expired, it can be dropped"
        );
    }
    if args.demo {
        let until = match &args.demo_until {
            Some(s) => usage_api::Timestamp::parse(s)
                .context("--demo-until")?
                .naive(),
            None => chrono::Utc::now().naive_utc(),
        };
        let opts = demo::DemoOptions {
            records: args.demo_records,
            until,
            seed: 42,
        };
        let p = pool.clone();
        let created = db::spawn_blocking(move || demo::load(&p, &opts)).await??;
        if !created {
            tracing::info!("demo data already present; not loaded again");
        }
        // One live demo token: the previous starts' are revoked, so none outlives its config.json.
        let token = db::off_runtime(|| {
            auth::replace_token(
                &mut pool.get()?.conn(),
                demo::PARTNER,
                auth::SCOPES,
                "demo",
                auth::expiry_after(token_ttl),
            )
        })?;
        let config = PortalConfig {
            api_base: String::new(),
            realm: demo::PARTNER.to_owned(),
            token: token.clone(),
            base_path: args.base_path.clone().unwrap_or_default(),
        };
        let path = args
            .portal_config
            .clone()
            .unwrap_or_else(|| args.static_dir.join("config.json"));
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, serde_json::to_vec_pretty(&config)?)
            .with_context(|| format!("writing {}", path.display()))?;
        println!("Demo token for realm '{}': {token}", demo::PARTNER);
        println!("Portal config written to {}", path.display());
    }
    if !args.static_dir.join("index.html").exists() {
        tracing::warn!(dir = %args.static_dir.display(), "no built portal there (run trunk build); serving the API and any files there");
    }
    let static_dir = args.static_dir.is_dir().then(|| args.static_dir.clone());
    let opts = AppOptions {
        static_dir,
        cors_origins: args.cors_origins,
        strict_csp: args.strict_csp || !args.no_strict_csp,
        base_path: args.base_path.clone(),
    };
    let files = match &args.report_store {
        Some(url) => reports::files::ReportStore::open(url)?,
        None => reports::files::ReportStore::local(&args.report_dir)?,
    };
    tracing::info!(store = %files.describe(), "report files kept in the report store");
    let mut state = AppState::with_report_store(pool, files.clone())?;
    state.signing = signing;
    state.frame_ancestors = args.frame_ancestors.clone();
    state.csv_streams =
        usage_server::streams::CsvStreams::new(usage_server::streams::CsvStreamLimits {
            per_token: args.csv_streams_per_token.max(1),
            deadline: std::time::Duration::from_secs(args.csv_deadline_secs.max(1)),
        });
    state.usage_writer = usage_server::routes::usages::usage_writer(
        state.pool.clone(),
        usage_server::group_commit::WriterOptions {
            queue: args.write_queue,
            max_batch: args.write_batch_max,
            max_wait: std::time::Duration::from_micros(args.write_batch_wait_us),
        },
    )?;
    state.reports = reports::Reports::with_store(
        files,
        reports::ReportOptions {
            workers: args.report_workers,
            max_in_progress: args.reports_in_progress_max,
            deadline: std::time::Duration::from_secs(args.report_deadline_secs),
            max_attempts: args.report_attempts,
            retention: std::time::Duration::from_secs(
                args.report_retention_days.saturating_mul(86_400),
            ),
            sweep_interval: std::time::Duration::from_secs(args.report_sweep_secs.max(1)),
            lease: std::time::Duration::from_secs(args.report_lease_secs.max(1)),
            ..reports::ReportOptions::default()
        },
    );
    state.ops = usage_server::ops::Ops::new(usage_server::ops::OpsOptions {
        request_timeout: (args.request_timeout_secs > 0)
            .then(|| std::time::Duration::from_secs(args.request_timeout_secs)),
        max_in_flight: (args.max_in_flight > 0).then_some(args.max_in_flight),
        rate_limit: std::num::NonZeroU32::new(args.rate_limit_per_sec).map(|per_sec| {
            usage_server::ops::RateLimit {
                per_sec,
                burst: std::num::NonZeroU32::new(args.rate_limit_burst).unwrap_or(per_sec),
            }
        }),
        metrics_route: !args.no_metrics && args.metrics_listen.is_none(),
    });
    if let Some(addr) = args.metrics_listen.filter(|_| !args.no_metrics) {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("--metrics-listen {addr}"))?;
        println!("Metrics on http://{}/metrics", listener.local_addr()?);
        let metrics = usage_server::ops::metrics_app(state.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, metrics).await {
                tracing::error!(error = %e, "the metrics server stopped");
            }
        });
    }
    let bound = Bound::bind(args.listen, state, &opts).await?;
    println!("Usage Portal on http://{}/", bound.addr);
    let serve_opts = usage_server::ServeOptions {
        header_read_timeout: std::time::Duration::from_secs(args.header_read_timeout_secs.max(1)),
        shutdown_deadline: std::time::Duration::from_secs(args.shutdown_deadline_secs),
    };
    bound.serve_with(stop_signal(), serve_opts).await?;
    tracing::info!("stopped");
    // Exit here rather than drop the runtime, which would wait for blocking work still running
    // (a report being generated, the writer's thread): every answered write is committed
    // already, and a report in progress is resumed at the next start.
    #[allow(clippy::exit)]
    std::process::exit(0)
}

/// SIGTERM (an orchestrator's stop) or SIGINT (Ctrl-C).
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT: stopping"),
                    _ = term.recv() => tracing::info!("SIGTERM: stopping"),
                }
                return;
            }
            Err(e) => tracing::error!(error = %e, "SIGTERM cannot be handled; only SIGINT stops"),
        }
    }
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("SIGINT: stopping");
}

/// A secret given in the environment (never on the command line, where `ps` shows it).
fn env_secret(name: &str) -> anyhow::Result<Option<String>> {
    match std::env::var(name) {
        Ok(v) if v.trim().is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(e) => Err(anyhow::anyhow!("{name}: {e}")),
    }
}
