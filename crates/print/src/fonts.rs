//! Finding the two fonts a printout needs on this machine, and holding each
//! ready for both its users: krilla (which embeds it) and rustybuzz (which
//! shapes and measures with it).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustybuzz::ttf_parser;

use crate::PrintError;

/// Which of the two fonts a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Face {
    Tibetan,
    /// Chinese, and everything else: Noto Sans CJK covers Latin and digits.
    Cjk,
}

/// Fonts found on this machine: a Tibetan one and a Chinese one (which also covers Latin and digits).
pub struct Fonts {
    tibetan: LoadedFont,
    cjk: LoadedFont,
}

pub(crate) struct LoadedFont {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) pdf: krilla::text::Font,
    /// The line's extent above and below the baseline, in ems (both positive).
    pub(crate) ascent: f32,
    pub(crate) descent: f32,
}

impl LoadedFont {
    /// A shaper over the font. Parsing is lazy, so making one per run costs
    /// little, and it spares a self-referencing struct.
    pub(crate) fn shaper(&self) -> Option<rustybuzz::Face<'_>> {
        rustybuzz::Face::from_slice(&self.data, self.index)
    }
}

/// Where to look, in order: a directory and the start of the file names
/// that may hold the font there.
struct Place {
    dir: PathBuf,
    prefix: &'static str,
}

const DEBIAN_TIBETAN: &str = "/usr/share/fonts/truetype/noto";
const DEBIAN_CJK: &str = "/usr/share/fonts/opentype/noto";
const ANDROID: &str = "/system/fonts";

impl Fonts {
    /// Looks in $HIGHLAND_FONTS_DIR, then Debian's paths
    /// (/usr/share/fonts/truetype/noto/NotoSerifTibetan-Regular.ttf from
    /// fonts-noto-core, /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
    /// from fonts-noto-cjk, its Simplified Chinese face, found by its name
    /// table), then Android's /system/fonts (NotoSerifTibetan*.ttf,
    /// NotoSansCJK-Regular.ttc).
    pub fn system() -> Result<Fonts, PrintError> {
        let own = std::env::var_os("HIGHLAND_FONTS_DIR").map(PathBuf::from);
        let places = |own_prefix, debian: &str, debian_prefix, android_prefix| {
            let mut places: Vec<Place> = own
                .iter()
                .map(|dir| Place {
                    dir: dir.clone(),
                    prefix: own_prefix,
                })
                .collect();
            places.push(Place {
                dir: debian.into(),
                prefix: debian_prefix,
            });
            places.push(Place {
                dir: ANDROID.into(),
                prefix: android_prefix,
            });
            places
        };
        let tibetan = find(
            "Tibetan",
            &places(
                "NotoSerifTibetan",
                DEBIAN_TIBETAN,
                "NotoSerifTibetan-Regular",
                "NotoSerifTibetan",
            ),
            is_tibetan,
        )?;
        let cjk = find(
            "Chinese",
            &places(
                "NotoSansCJK",
                DEBIAN_CJK,
                "NotoSansCJK-Regular",
                "NotoSansCJK-Regular",
            ),
            is_simplified_chinese,
        )?;
        Ok(Fonts { tibetan, cjk })
    }

    pub(crate) fn get(&self, face: Face) -> &LoadedFont {
        match face {
            Face::Tibetan => &self.tibetan,
            Face::Cjk => &self.cjk,
        }
    }
}

/// The first face in `places` that `fits`. A font that is there but unfit
/// (no Tibetan letters, no Simplified Chinese face) is reported as such, not
/// as missing, so nobody installs a package they already have.
fn find(
    script: &'static str,
    places: &[Place],
    fits: fn(&ttf_parser::Face) -> bool,
) -> Result<LoadedFont, PrintError> {
    let mut unfit = None;
    for place in places {
        for path in candidates(place) {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            match load(&path, bytes, fits) {
                Ok(font) => return Ok(font),
                Err(error) => unfit = Some(error),
            }
        }
    }
    Err(unfit.unwrap_or_else(|| PrintError::FontMissing {
        script,
        looked_in: places
            .iter()
            .map(|p| p.dir.join(format!("{}*", p.prefix)))
            .collect(),
    }))
}

/// Font files in the place, the regular weight first (an Android phone has
/// NotoSerifTibetan-Bold.ttf beside the regular one).
fn candidates(place: &Place) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(&place.dir) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = file_name(p);
            name.starts_with(place.prefix)
                && [".ttf", ".otf", ".ttc", ".otc"]
                    .iter()
                    .any(|ext| name.ends_with(ext))
        })
        .collect();
    paths.sort_by_key(|p| {
        let name = file_name(p);
        (!name.contains("Regular"), name.contains("Bold"), name)
    });
    paths
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn load(
    path: &Path,
    bytes: Vec<u8>,
    fits: fn(&ttf_parser::Face) -> bool,
) -> Result<LoadedFont, PrintError> {
    let unusable = |reason: &str| PrintError::Font {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let faces = ttf_parser::fonts_in_collection(&bytes).unwrap_or(1);
    let (index, ascent, descent) = (0..faces)
        .find_map(|index| {
            let face = ttf_parser::Face::parse(&bytes, index).ok()?;
            let em = f32::from(face.units_per_em());
            fits(&face).then(|| {
                (
                    index,
                    f32::from(face.ascender()) / em,
                    -f32::from(face.descender()) / em,
                )
            })
        })
        .ok_or_else(|| unusable("it has no face for this script"))?;
    let data = Arc::new(bytes);
    let pdf = krilla::text::Font::new(data.clone().into(), index)
        .ok_or_else(|| unusable("the PDF writer cannot read it"))?;
    Ok(LoadedFont {
        data,
        index,
        pdf,
        ascent,
        descent,
    })
}

fn has_chars(face: &ttf_parser::Face, chars: &str) -> bool {
    chars.chars().all(|c| face.glyph_index(c).is_some())
}

/// Base letters and subjoined ones (which only a real Tibetan font has).
fn is_tibetan(face: &ttf_parser::Face) -> bool {
    has_chars(face, "\u{0F40}\u{0F42}\u{0F92}\u{0FB2}\u{0F0B}")
}

/// Noto Sans CJK's collection holds Japanese, Korean, Simplified and
/// Traditional Chinese faces; they share most glyphs but not the shapes
/// readers expect, so the SC face is picked by name, and checked for the
/// Latin letters and digits it also sets.
fn is_simplified_chinese(face: &ttf_parser::Face) -> bool {
    let named_sc = face.names().into_iter().any(|name| {
        (name.name_id == ttf_parser::name_id::FAMILY
            || name.name_id == ttf_parser::name_id::TYPOGRAPHIC_FAMILY)
            && name
                .to_string()
                .is_some_and(|n| n.ends_with(" SC") || n.contains("CJK SC"))
    });
    named_sc && has_chars(face, "牦牛肉承诺达标合格证Az09-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chinese_face_is_the_simplified_one_of_the_collection() {
        let fonts = Fonts::system().expect("fonts-noto-core and fonts-noto-cjk");
        let cjk = &fonts.cjk;
        let face = ttf_parser::Face::parse(&cjk.data, cjk.index).expect("a face");
        let names: Vec<String> = face
            .names()
            .into_iter()
            .filter(|n| n.name_id == ttf_parser::name_id::FAMILY)
            .filter_map(|n| n.to_string())
            .collect();
        assert!(names.iter().any(|n| n == "Noto Sans CJK SC"), "{names:?}");
    }

    #[test]
    fn fonts_can_be_shared_between_threads() {
        // An app loads them once and keeps them in its state.
        fn shared<T: Send + Sync>() {}
        shared::<Fonts>();
    }

    #[test]
    fn an_empty_place_reports_the_font_missing_and_where_it_looked() {
        let dir = tempfile::tempdir().expect("a directory");
        let places = [Place {
            dir: dir.path().to_owned(),
            prefix: "NotoSerifTibetan",
        }];
        let Err(error) = find("Tibetan", &places, is_tibetan) else {
            panic!("found a font in an empty directory");
        };
        assert!(
            matches!(&error, PrintError::FontMissing { script: "Tibetan", looked_in }
                if looked_in[0].starts_with(dir.path())),
            "{error:?}"
        );
        assert!(error.to_string().contains("fonts-noto-core"), "{error}");
    }

    #[test]
    fn a_file_that_is_no_font_is_reported_as_such_not_as_missing() {
        let dir = tempfile::tempdir().expect("a directory");
        let path = dir.path().join("NotoSerifTibetan-Regular.ttf");
        std::fs::write(&path, b"not a font").expect("written");
        let places = [Place {
            dir: dir.path().to_owned(),
            prefix: "NotoSerifTibetan",
        }];
        let Err(error) = find("Tibetan", &places, is_tibetan) else {
            panic!("took a file of text for a font");
        };
        assert!(
            matches!(&error, PrintError::Font { path: p, .. } if *p == path),
            "{error:?}"
        );
    }

    #[test]
    fn the_regular_weight_is_tried_before_the_bold() {
        let dir = tempfile::tempdir().expect("a directory");
        for name in [
            "NotoSerifTibetan-Bold.ttf",
            "NotoSerifTibetan-Regular.ttf",
            "Other.ttf",
        ] {
            std::fs::write(dir.path().join(name), b"").expect("written");
        }
        let found = candidates(&Place {
            dir: dir.path().to_owned(),
            prefix: "NotoSerifTibetan",
        });
        let names: Vec<String> = found.iter().map(|p| file_name(p)).collect();
        assert_eq!(
            names,
            ["NotoSerifTibetan-Regular.ttf", "NotoSerifTibetan-Bold.ttf"]
        );
    }
}
