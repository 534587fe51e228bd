//! `highland photo`: photos of listings and lots. Adding one works offline;
//! its record syncs at once and its files follow (`highland sync`).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use highland_domain::{ListingId, LotId, PhotoId, PhotoSubject};
use highland_engine::photos::{MAX_INPUT_BYTES, PhotoError};
use highland_engine::views::PhotoView;
use highland_engine::{Store, StoreError};

use super::print_json;
use crate::table::Table;

/// Which listing or lot a photo shows: exactly one of the two.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct Subject {
    /// The listing's id (from `highland listing list`)
    #[arg(long, value_name = "ID")]
    listing: Option<String>,
    /// The lot's id (from `highland lot list`); a lot's photos appear on its
    /// public trace page
    #[arg(long, value_name = "ID")]
    lot: Option<String>,
}

impl Subject {
    fn parse(&self) -> anyhow::Result<PhotoSubject> {
        match (&self.listing, &self.lot) {
            (Some(id), _) => Ok(PhotoSubject::Listing(id.trim().parse::<ListingId>()?)),
            (_, Some(id)) => Ok(PhotoSubject::Lot(id.trim().parse::<LotId>()?)),
            (None, None) => anyhow::bail!("say which listing (--listing ID) or lot (--lot ID)"),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum PhotoCommand {
    /// Add a photo (JPEG, PNG or WebP) to a listing or a lot; prints its id.
    /// The picture is turned upright, made smaller, and stripped of its
    /// metadata (GPS included) before it is kept.
    Add {
        #[command(flatten)]
        subject: Subject,
        /// The picture file
        file: PathBuf,
        /// Keep where the photo was taken (a lot's origin), from its GPS data
        #[arg(long)]
        keep_location: bool,
        #[arg(long)]
        json: bool,
    },
    /// List the photos of a listing or a lot, with what waits to upload.
    List {
        #[command(flatten)]
        subject: Subject,
        #[arg(long)]
        json: bool,
    },
    /// Take a photo off its listing or lot.
    Remove {
        /// The photo's id (from `highland photo list`)
        id: String,
    },
}

pub fn run(store: &mut Store, command: PhotoCommand) -> anyhow::Result<()> {
    match command {
        PhotoCommand::Add {
            subject,
            file,
            keep_location,
            json,
        } => {
            let subject = subject.parse()?;
            let picture = read_picture(&file)?;
            let photo = store.add_photo(subject, &picture, keep_location)?;
            if json {
                return print_json(&photo);
            }
            println!("{}", photo.id);
        }
        PhotoCommand::List { subject, json } => {
            let photos = store.photos_of(subject.parse()?)?;
            if json {
                return print_json(&photos);
            }
            print!("{}", table(&photos).render());
        }
        PhotoCommand::Remove { id } => {
            let id: PhotoId = id.trim().parse()?;
            store.remove_photo(id)?;
            println!("removed photo {id}");
        }
    }
    Ok(())
}

/// Reads a picture file, refusing one over the size limit before reading
/// it all: a 2 GB video picked by mistake must not fill the memory.
fn read_picture(path: &Path) -> anyhow::Result<Vec<u8>> {
    let file =
        File::open(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let mut picture = Vec::new();
    file.take(MAX_INPUT_BYTES as u64 + 1)
        .read_to_end(&mut picture)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    if picture.len() > MAX_INPUT_BYTES {
        let bytes = std::fs::metadata(path).map_or(picture.len(), |m| m.len() as usize);
        return Err(StoreError::from(PhotoError::TooLarge { bytes }).into());
    }
    Ok(picture)
}

fn table(photos: &[PhotoView]) -> Table {
    let mut table = Table::new(&["ID", "SIZE", "BYTES", "STATE"]);
    for photo in photos {
        let state = if photo.refused {
            "refused by the hub"
        } else if photo.waiting_to_upload {
            "waiting to upload"
        } else if !photo.display.here {
            "on the hub"
        } else {
            "here"
        };
        table.row(vec![
            photo.id.clone(),
            format!("{}x{}", photo.display.width, photo.display.height),
            (photo.display.bytes + photo.thumbnail.bytes).to_string(),
            state.to_owned(),
        ]);
    }
    table
}
