use highland_engine::Store;

use super::print_json;

pub fn run(store: &mut Store, json: bool) -> anyhow::Result<()> {
    let status = store.status()?;
    if json {
        return print_json(&status);
    }
    println!("listings:         {}", status.listings);
    println!("lots:             {}", status.lots);
    println!("sales:            {}", status.sales);
    println!("waiting for hub:  {}", status.pending_ops);
    Ok(())
}
