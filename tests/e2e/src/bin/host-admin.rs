//! Runs the example host admin site of `examples/host-admin` next to a running API
//! (`scripts/run.sh`): `cargo run -p usage-e2e --bin host-admin`, then open
//! http://127.0.0.1:8081/admin/usage/.

use clap::Parser;
use std::path::PathBuf;
use usage_e2e::host::{EXAMPLE_API, HostOptions, bind, serve};

/// The example host admin site that embeds the Usage Portal.
#[derive(Parser)]
struct Args {
    /// Where the host site listens (a different origin from the API's).
    #[arg(long, default_value = "127.0.0.1:8081")]
    listen: std::net::SocketAddr,
    /// The Usage API's origin (start it with `--cors-origin` naming this site's origin).
    #[arg(long, default_value = EXAMPLE_API)]
    api: String,
    /// The API's SQLite database, where the host's session backend creates tokens.
    #[arg(long, default_value = "data/demo.db")]
    db: PathBuf,
    /// The built portal.
    #[arg(long, default_value = "dist")]
    dist: PathBuf,
    /// The realm the admin may see.
    #[arg(long, default_value = "northwind")]
    realm: String,
    /// Seconds a handed-out token lives.
    #[arg(long, default_value_t = 300)]
    token_ttl: i64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let opts = HostOptions {
        api_origin: args.api,
        dist: args.dist,
        example_dir: usage_e2e::root().join("examples/host-admin"),
        pool: usage_server::db::open(&args.db)?,
        realm: args.realm,
        token_ttl_secs: args.token_ttl,
    };
    let (listener, origin) = bind(args.listen).await?;
    serve(listener, opts)?;
    println!("Host admin site at {origin}/admin/usage/");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
