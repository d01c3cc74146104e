//! 职业技能培训 (SPEC §6, seed 001 §(四)): training providers, their courses (occupation,
//! kind, dates, places, subsidy), the enrolments of persons with completion and
//! certificate, and the monthly 紧缺职业目录 (one row per month and occupation).

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_training"
    }
}

#[derive(DeriveIden)]
enum TrainingProviders {
    Table,
    Id,
    Name,
    CreditCode,
    Region,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingCourses {
    Table,
    Id,
    ProviderId,
    Title,
    Occupation,
    Kind,
    Region,
    StartsOn,
    EndsOn,
    Capacity,
    SubsidyFen,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum TrainingEnrolments {
    Table,
    Id,
    CourseId,
    PersonId,
    EnrolledOn,
    State,
    CompletedOn,
    CertLevel,
    CertNo,
    RecordedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ShortageCatalog {
    Table,
    Month,
    Occupation,
    Rank,
    Openings,
    Seekers,
    ComputedAt,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(TrainingProviders::Table)
                .col(ColumnDef::new(TrainingProviders::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(TrainingProviders::Name).string().not_null().unique_key())
                .col(ColumnDef::new(TrainingProviders::CreditCode).string())
                .col(ColumnDef::new(TrainingProviders::Region).big_integer().not_null())
                .col(ColumnDef::new(TrainingProviders::CreatedBy).string().not_null())
                .col(ColumnDef::new(TrainingProviders::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TrainingCourses::Table)
                .col(ColumnDef::new(TrainingCourses::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(TrainingCourses::ProviderId).big_integer().not_null())
                .col(ColumnDef::new(TrainingCourses::Title).string().not_null())
                .col(ColumnDef::new(TrainingCourses::Occupation).string())
                .col(ColumnDef::new(TrainingCourses::Kind).small_integer().not_null())
                .col(ColumnDef::new(TrainingCourses::Region).big_integer().not_null())
                .col(ColumnDef::new(TrainingCourses::StartsOn).date().not_null())
                .col(ColumnDef::new(TrainingCourses::EndsOn).date().not_null())
                .col(ColumnDef::new(TrainingCourses::Capacity).integer().not_null())
                .col(ColumnDef::new(TrainingCourses::SubsidyFen).big_integer().not_null())
                .col(ColumnDef::new(TrainingCourses::CreatedBy).string().not_null())
                .col(ColumnDef::new(TrainingCourses::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("training_courses_provider")
                        .from(TrainingCourses::Table, TrainingCourses::ProviderId)
                        .to(TrainingProviders::Table, TrainingProviders::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("training_courses_provider_idx")
                .table(TrainingCourses::Table)
                .col(TrainingCourses::ProviderId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(TrainingEnrolments::Table)
                .col(ColumnDef::new(TrainingEnrolments::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(TrainingEnrolments::CourseId).big_integer().not_null())
                .col(ColumnDef::new(TrainingEnrolments::PersonId).big_integer().not_null())
                .col(ColumnDef::new(TrainingEnrolments::EnrolledOn).date().not_null())
                .col(ColumnDef::new(TrainingEnrolments::State).small_integer().not_null())
                .col(ColumnDef::new(TrainingEnrolments::CompletedOn).date())
                .col(ColumnDef::new(TrainingEnrolments::CertLevel).small_integer())
                .col(ColumnDef::new(TrainingEnrolments::CertNo).string())
                .col(ColumnDef::new(TrainingEnrolments::RecordedBy).string().not_null())
                .col(ColumnDef::new(TrainingEnrolments::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("training_enrolments_course")
                        .from(TrainingEnrolments::Table, TrainingEnrolments::CourseId)
                        .to(TrainingCourses::Table, TrainingCourses::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("training_enrolments_person")
                        .from(TrainingEnrolments::Table, TrainingEnrolments::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("training_enrolments_course_person")
                .table(TrainingEnrolments::Table)
                .col(TrainingEnrolments::CourseId)
                .col(TrainingEnrolments::PersonId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("training_enrolments_person_idx")
                .table(TrainingEnrolments::Table)
                .col(TrainingEnrolments::PersonId)
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(ShortageCatalog::Table)
                .col(ColumnDef::new(ShortageCatalog::Month).string().not_null())
                .col(ColumnDef::new(ShortageCatalog::Occupation).string().not_null())
                .col(ColumnDef::new(ShortageCatalog::Rank).integer().not_null())
                .col(ColumnDef::new(ShortageCatalog::Openings).big_integer().not_null())
                .col(ColumnDef::new(ShortageCatalog::Seekers).big_integer().not_null())
                .col(ColumnDef::new(ShortageCatalog::ComputedAt).timestamp_with_time_zone().not_null())
                .primary_key(Index::create().col(ShortageCatalog::Month).col(ShortageCatalog::Occupation))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
