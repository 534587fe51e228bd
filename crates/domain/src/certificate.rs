//! The certificate of compliance, 承诺达标合格证: China asks every seller of
//! edible farm produce to issue one for each production batch, and online
//! sales must carry it. It names the product, its quantity and origin, the
//! issue date, the issuer and a contact, and the seller's promise about
//! pesticides, veterinary drugs and additives on what grounds.
//!
//! A seller issues it on the device, offline; it syncs to the hub like a
//! sale and is kept there with the lot. Certificates are facts: never edited
//! or deleted (the rules ask that they be kept for at least six months).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{CertificateId, DomainError, LotId, Quantity, ShortText, Title};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    pub id: CertificateId,
    pub lot_id: LotId,
    /// 产品名称
    pub product: Title,
    /// 数量（重量）
    pub quantity: Quantity,
    /// 产地: the village, as the lot records it.
    pub origin: ShortText,
    /// 生产者: the seller or co-operative that issues it.
    pub issuer: ShortText,
    /// 联系方式: printed on the slip; the public trace page leaves it out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<ShortText>,
    /// 开具日期
    pub issued_on: NaiveDate,
    /// 承诺依据: what the promise rests on.
    pub basis: CommitmentBasis,
}

/// The grounds of the seller's promise, as the national template lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CommitmentBasis {
    /// 委托检测: a laboratory tested it.
    LabTest,
    /// 自我检验: the seller tested it.
    SelfTest,
    /// 内部质量控制: the seller's own quality control.
    QualityControl,
    /// 自我承诺: the seller's word.
    OwnWord,
}

impl CommitmentBasis {
    pub const ALL: [CommitmentBasis; 4] = [
        CommitmentBasis::LabTest,
        CommitmentBasis::SelfTest,
        CommitmentBasis::QualityControl,
        CommitmentBasis::OwnWord,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            CommitmentBasis::LabTest => "lab_test",
            CommitmentBasis::SelfTest => "self_test",
            CommitmentBasis::QualityControl => "quality_control",
            CommitmentBasis::OwnWord => "own_word",
        }
    }

    /// The words of the national template, printed on every slip whatever
    /// the seller's language.
    pub fn zh(self) -> &'static str {
        match self {
            CommitmentBasis::LabTest => "委托检测",
            CommitmentBasis::SelfTest => "自我检验",
            CommitmentBasis::QualityControl => "内部质量控制",
            CommitmentBasis::OwnWord => "自我承诺",
        }
    }
}

impl fmt::Display for CommitmentBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

impl FromStr for CommitmentBasis {
    type Err = DomainError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        CommitmentBasis::ALL
            .into_iter()
            .find(|b| b.slug() == wanted)
            .ok_or_else(|| DomainError::UnknownChoice {
                what: "commitment basis",
                input: s.to_owned(),
                known: CommitmentBasis::ALL.map(CommitmentBasis::slug).join(", "),
            })
    }
}

/// The promise itself, word for word from the national template.
pub const PROMISE_ZH: [&str; 3] = [
    "不使用禁用农药兽药、停用兽药和非法添加物",
    "常规农药兽药残留不超标",
    "对承诺的真实性负责",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_basis_reads_as_typed_and_names_the_choices_when_it_does_not() {
        assert_eq!("lab-test".parse(), Ok(CommitmentBasis::LabTest));
        assert_eq!(" Own_Word ".parse(), Ok(CommitmentBasis::OwnWord));
        let err = "trust me".parse::<CommitmentBasis>().unwrap_err();
        assert!(err.to_string().contains("self_test"), "{err}");
    }
}
