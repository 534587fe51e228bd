//! The trace page's words in Chinese, Tibetan and English. Every key has all
//! three; a test checks that none is empty.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lang {
    Zh,
    Bo,
    En,
}

impl Lang {
    pub(crate) const ALL: [Lang; 3] = [Lang::Zh, Lang::Bo, Lang::En];

    /// The `lang` attribute of the page.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::Bo => "bo",
            Lang::En => "en",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Lang> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            "bo" | "bo-cn" => Some(Lang::Bo),
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            _ => None,
        }
    }

    /// What the phone asks for, else Chinese.
    pub(crate) fn from_accept_language(header: Option<&str>) -> Lang {
        crate::http::preferred_language(header, Lang::parse).unwrap_or(Lang::Zh)
    }

    /// The language's own name, for the switch at the foot of the page.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Lang::Zh => "中文",
            Lang::Bo => "བོད་ཡིག",
            Lang::En => "English",
        }
    }

    pub(crate) fn t(self, key: Key) -> &'static str {
        let (zh, bo, en) = words(key);
        match self {
            Lang::Zh => zh,
            Lang::Bo => bo,
            Lang::En => en,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Key {
    Title,
    LotCode,
    Origin,
    HarvestPhoto,
    Village,
    Altitude,
    Metres,
    Harvested,
    Environment,
    Chain,
    HarvestStep,
    Products,
    NoProducts,
    NotFoundTitle,
    NotFound,
    MistypedTitle,
    Mistyped,
    Unavailable,
    Footer,
    ReceivedStep,
    ProcessedStep,
    InspectedStep,
    PackedStep,
    ShippedStep,
    Certificate,
    MadeFrom,
    MadeInto,
    Inspector,
    CertificateNumber,
    Passed,
    Failed,
    Quantity,
    Place,
    Packaging,
    ShippedTo,
    Vehicle,
    IssuedBy,
    Product,
    Gtin,
}

#[cfg(test)]
impl Key {
    pub(crate) const ALL: [Key; 39] = [
        Key::Title,
        Key::LotCode,
        Key::Origin,
        Key::HarvestPhoto,
        Key::Village,
        Key::Altitude,
        Key::Metres,
        Key::Harvested,
        Key::Environment,
        Key::Chain,
        Key::HarvestStep,
        Key::Products,
        Key::NoProducts,
        Key::NotFoundTitle,
        Key::NotFound,
        Key::MistypedTitle,
        Key::Mistyped,
        Key::Unavailable,
        Key::Footer,
        Key::ReceivedStep,
        Key::ProcessedStep,
        Key::InspectedStep,
        Key::PackedStep,
        Key::ShippedStep,
        Key::Certificate,
        Key::MadeFrom,
        Key::MadeInto,
        Key::Inspector,
        Key::CertificateNumber,
        Key::Passed,
        Key::Failed,
        Key::Quantity,
        Key::Place,
        Key::Packaging,
        Key::ShippedTo,
        Key::Vehicle,
        Key::IssuedBy,
        Key::Product,
        Key::Gtin,
    ];
}

fn words(key: Key) -> (&'static str, &'static str, &'static str) {
    match key {
        Key::Title => ("产品溯源", "ཐོན་རྫས་ཀྱི་རྗེས་འདེད།", "Product trace"),
        Key::LotCode => ("批次码", "ཚན་གྱི་ཨང་རྟགས།", "Lot code"),
        Key::Origin => ("产地", "འབྱུང་ཁུངས།", "Origin"),
        Key::HarvestPhoto => ("产地照片", "བསྡུ་རུབ་ཀྱི་པར།", "Photo of the harvest"),
        Key::Village => ("村", "གྲོང་ཚོ།", "Village"),
        Key::Altitude => ("海拔", "ཆུ་ངོས་ལས་མཐོ་ཚད།", "Altitude"),
        Key::Metres => ("米", "སྨི།", "m"),
        Key::Harvested => ("采收/屠宰日期", "བསྡུ་རུབ་བྱས་པའི་ཚེས་གྲངས།", "Harvested on"),
        Key::Environment => ("生长环境", "སྐྱེ་ཁམས་ཁོར་ཡུག", "Growing environment"),
        Key::Chain => ("溯源链", "རྗེས་འདེད་ཀྱི་རིམ་པ།", "The chain"),
        Key::HarvestStep => ("采收", "བསྡུ་རུབ།", "Harvest"),
        Key::Products => ("本批次产品", "ཚན་འདིའི་ཐོན་རྫས།", "Products from this lot"),
        Key::NoProducts => (
            "本批次暂无在售产品。",
            "ཚན་འདིའི་ཐོན་རྫས་ད་ལྟ་ཚོང་དུ་བཏོན་མེད།",
            "Nothing from this lot is on sale yet.",
        ),
        Key::NotFoundTitle => ("未找到该批次", "ཚན་འདི་རྙེད་མ་སོང་།", "No lot with this code"),
        Key::NotFound => (
            "没有批次使用这个批次码。请核对标签上的批次码（13个字符），或直接扫描二维码。",
            "ཨང་རྟགས་འདི་ཚན་གང་གིས་ཀྱང་བེད་སྤྱོད་བྱས་མེད། བྱང་བུའི་སྟེང་གི་ཨང་རྟགས་（ཡི་གེ་13）ལ་ཞིབ་བཤེར་བྱོས། ཡང་ན་QRཨང་རྟགས་ལ་ཞིབ་འབེབས་བྱོས།",
            "No lot has this code. Check the code on the label (13 characters), or scan the QR code instead.",
        ),
        Key::MistypedTitle => ("批次码有误", "ཨང་རྟགས་ནོར་འདུག", "This code has a typo"),
        Key::Mistyped => (
            "这个批次码有一个字符不对。请对照标签重新输入，或直接扫描二维码。",
            "ཨང་རྟགས་འདིའི་ནང་ཡི་གེ་ནོར་བ་ཞིག་འདུག བྱང་བུ་ལ་བལྟས་ནས་ཡང་བསྐྱར་འབྲི་རོགས། ཡང་ན་QRཨང་རྟགས་ལ་ཞིབ་འབེབས་བྱོས།",
            "One character of this code is wrong. Type it again from the label, or scan the QR code instead.",
        ),
        Key::Unavailable => (
            "暂时无法显示溯源信息，请稍后再试。",
            "རྗེས་འདེད་ཀྱི་ཆ་འཕྲིན་གནས་སྐབས་སྟོན་མི་ཐུབ། ཅུང་ཙམ་ནས་ཡང་བསྐྱར་ཚོད་ལྟ་བྱོས།",
            "The trace cannot be shown just now; try again in a moment.",
        ),
        Key::ReceivedStep => ("收购", "ཉོ་ལེན།", "Received by the buyer"),
        Key::ProcessedStep => ("加工", "བཟོ་བཅོས།", "Processed"),
        Key::InspectedStep => ("检验检疫", "ཞིབ་བཤེར།", "Inspected"),
        Key::PackedStep => ("包装", "ཐུམ་སྒྲིལ།", "Packed"),
        Key::ShippedStep => ("发货", "སྐྱེལ་འདྲེན།", "Shipped"),
        Key::Certificate => (
            "承诺达标合格证",
            "ཚད་ལྡན་ཁས་ལེན་ལག་ཁྱེར།",
            "Certificate of compliance",
        ),
        Key::MadeFrom => ("原料批次", "རྒྱུ་ཆའི་ཚན།", "Made from"),
        Key::MadeInto => ("制成产品", "བཟོས་པའི་ཐོན་རྫས།", "Made into"),
        Key::Inspector => ("检验机构", "ཞིབ་བཤེར་བྱེད་མཁན།", "Inspector"),
        Key::CertificateNumber => ("证书编号", "ལག་ཁྱེར་ཨང་གྲངས།", "Certificate no."),
        Key::Passed => ("合格", "ཚད་ལྡན།", "Passed"),
        Key::Failed => ("不合格", "ཚད་མི་ལྡན།", "Failed"),
        Key::Quantity => ("数量", "གྲངས་འབོར།", "Quantity"),
        Key::Place => ("地点", "ས་གནས།", "Place"),
        Key::Packaging => ("包装规格", "ཐུམ་སྒྲིལ་གྱི་རྣམ་པ།", "Packaging"),
        Key::ShippedTo => ("发往", "སྐྱེལ་ཡུལ།", "Shipped to"),
        Key::Vehicle => ("运输车辆", "སྐྱེལ་འདྲེན་སྣུམ་འཁོར།", "Collected by truck"),
        Key::IssuedBy => ("开具人", "སྤྲོད་མཁན།", "Issued by"),
        Key::Product => ("产品", "ཐོན་རྫས།", "Product"),
        Key::Gtin => ("商品条码", "ཚོང་ཟོག་གི་ཐིག་ཨང་།", "GTIN"),
        Key::Footer => (
            "由迪庆村民在 Highland 上记录",
            "བདེ་ཆེན་གྱི་གྲོང་མི་ཚོས་Highlandནང་ཟིན་ཐོ་བཀོད།",
            "Recorded by Deqen villagers with Highland",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_is_there_in_every_language() {
        for key in Key::ALL {
            for lang in Lang::ALL {
                assert!(!lang.t(key).trim().is_empty(), "{key:?} in {lang:?}");
            }
            let (zh, bo, en) = words(key);
            assert!(zh != en && bo != en, "{key:?} is not translated");
        }
    }

    #[test]
    fn the_phones_language_is_chosen_by_preference() {
        let cases = [
            (None, Lang::Zh),
            (Some("bo"), Lang::Bo),
            (Some("en-US,en;q=0.9"), Lang::En),
            (Some("fr, bo;q=0.5, en;q=0.8"), Lang::En),
            (Some("bo-CN;q=0.9, zh-CN;q=0.8"), Lang::Bo),
            (Some("de"), Lang::Zh),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }
}
