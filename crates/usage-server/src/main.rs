//! `usage-server`: runs the API (optionally with demo data) or manages tokens.

use anyhow::Context;
use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;
use usage_server::{AppOptions, AppState, Bound, PortalConfig, auth, db, demo};

#[derive(Parser)]
#[command(version, about = "Reference Usage API server")]
struct Cli {
    /// The SQLite database file (created and migrated on first run).
    #[arg(long, env = "USAGE_DB", default_value = "data/usage.db", global = true)]
    db: PathBuf,
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
    /// Where report files are kept.
    #[arg(long, env = "USAGE_REPORT_DIR", default_value = "data/reports")]
    report_dir: PathBuf,
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
    /// Send a strict Content-Security-Policy with the portal's HTML (no inline script or style).
    #[arg(long)]
    strict_csp: bool,
    /// A CORS origin allowed to call the API (repeat it; `*` for any).
    #[arg(
        long = "cors-origin",
        env = "USAGE_CORS_ORIGINS",
        value_delimiter = ','
    )]
    cors_origins: Vec<String>,
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
            default_value = "usage:read,reports:write,usages:write,express-accounts-usage:read"
        )]
        scopes: Vec<String>,
        /// A note to tell tokens apart.
        #[arg(long, default_value = "")]
        label: String,
        /// Seconds until the token expires (it never does without this).
        #[arg(long)]
        ttl: Option<u32>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let pool = db::open(&cli.db)?;
    match cli.command {
        Some(Command::CreateToken {
            realm,
            scopes,
            label,
            ttl,
        }) => {
            let scopes: Vec<&str> = scopes.iter().map(String::as_str).collect();
            let expires = ttl.map(|s| chrono::Utc::now().timestamp() + i64::from(s));
            println!(
                "{}",
                auth::create_token_until(&*pool.get()?, &realm, &scopes, &label, expires)?
            );
            Ok(())
        }
        None | Some(Command::Serve) => serve(pool, cli.serve).await,
    }
}

async fn serve(pool: db::Pool, args: ServeArgs) -> anyhow::Result<()> {
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
        let created = tokio::task::spawn_blocking(move || demo::load(&p, &opts)).await??;
        if !created {
            tracing::info!("demo data already present; not loaded again");
        }
        let token = auth::create_token(&*pool.get()?, demo::PARTNER, auth::SCOPES, "demo")?;
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
        strict_csp: args.strict_csp,
        base_path: args.base_path.clone(),
    };
    let bound = Bound::bind(
        args.listen,
        AppState::new(pool, args.report_dir.clone())?,
        &opts,
    )
    .await?;
    println!("Usage Portal on http://{}/", bound.addr);
    bound
        .serve(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
