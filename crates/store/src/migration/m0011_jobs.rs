//! Employers, job postings and the push outbox (SPEC §3, §4). An employer is unique by
//! its 统一社会信用代码; a posting by (employer, its own number), so re-importing a file
//! updates in place. `district` columns copy the district of a place so that region
//! scopes and the board's district filter are one integer range. `job_pushes` is the
//! outbox of 精准推送: one row per (person, job), ever, with its delivery and outcome.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_jobs"
    }
}

#[derive(DeriveIden)]
enum Employers {
    Table,
    Id,
    CreditCode,
    Name,
    EmployerType,
    Industry,
    Region,
    District,
    Size,
    CreditStatus,
    RowDigest,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    EmployerId,
    Reference,
    Title,
    Occupation,
    Industry,
    Place,
    District,
    Headcount,
    Hired,
    WageForm,
    WageMinFen,
    WageMaxFen,
    Kind,
    AgeMin,
    AgeMax,
    AgeReason,
    Sex,
    SkillMin,
    Certificate,
    Board,
    Description,
    ValidFrom,
    ValidTo,
    Source,
    Status,
    ReviewNote,
    RowDigest,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JobPushes {
    Table,
    Id,
    PersonId,
    JobId,
    PushDate,
    Score,
    Explanation,
    Channel,
    State,
    SentAt,
    Outcome,
    OutcomeAt,
    CreatedAt,
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
                .table(Employers::Table)
                .col(ColumnDef::new(Employers::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Employers::CreditCode).string().not_null())
                .col(ColumnDef::new(Employers::Name).string().not_null())
                .col(ColumnDef::new(Employers::EmployerType).small_integer().not_null())
                .col(ColumnDef::new(Employers::Industry).string().not_null())
                .col(ColumnDef::new(Employers::Region).big_integer().not_null())
                .col(ColumnDef::new(Employers::District).big_integer().not_null())
                .col(ColumnDef::new(Employers::Size).small_integer())
                .col(ColumnDef::new(Employers::CreditStatus).small_integer().not_null())
                .col(ColumnDef::new(Employers::RowDigest).binary().not_null())
                .col(ColumnDef::new(Employers::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Employers::UpdatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("employers_credit_code")
                .table(Employers::Table)
                .col(Employers::CreditCode)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("employers_district").table(Employers::Table).col(Employers::District).to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table(Jobs::Table)
                .col(ColumnDef::new(Jobs::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(Jobs::EmployerId).big_integer().not_null())
                .col(ColumnDef::new(Jobs::Reference).string().not_null())
                .col(ColumnDef::new(Jobs::Title).string().not_null())
                .col(ColumnDef::new(Jobs::Occupation).string())
                .col(ColumnDef::new(Jobs::Industry).string().not_null())
                .col(ColumnDef::new(Jobs::Place).big_integer().not_null())
                .col(ColumnDef::new(Jobs::District).big_integer().not_null())
                .col(ColumnDef::new(Jobs::Headcount).integer().not_null())
                .col(ColumnDef::new(Jobs::Hired).integer().not_null().default(0))
                .col(ColumnDef::new(Jobs::WageForm).small_integer().not_null())
                .col(ColumnDef::new(Jobs::WageMinFen).big_integer().not_null())
                .col(ColumnDef::new(Jobs::WageMaxFen).big_integer().not_null())
                .col(ColumnDef::new(Jobs::Kind).small_integer().not_null())
                .col(ColumnDef::new(Jobs::AgeMin).small_integer().not_null())
                .col(ColumnDef::new(Jobs::AgeMax).small_integer().not_null())
                .col(ColumnDef::new(Jobs::AgeReason).string())
                .col(ColumnDef::new(Jobs::Sex).string())
                .col(ColumnDef::new(Jobs::SkillMin).small_integer())
                .col(ColumnDef::new(Jobs::Certificate).string())
                .col(ColumnDef::new(Jobs::Board).small_integer().not_null())
                .col(ColumnDef::new(Jobs::Description).text().not_null())
                .col(ColumnDef::new(Jobs::ValidFrom).date().not_null())
                .col(ColumnDef::new(Jobs::ValidTo).date().not_null())
                .col(ColumnDef::new(Jobs::Source).small_integer().not_null())
                .col(ColumnDef::new(Jobs::Status).small_integer().not_null())
                .col(ColumnDef::new(Jobs::ReviewNote).string())
                .col(ColumnDef::new(Jobs::RowDigest).binary().not_null())
                .col(ColumnDef::new(Jobs::CreatedBy).string().not_null())
                .col(ColumnDef::new(Jobs::CreatedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(Jobs::UpdatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("jobs_employer")
                        .from(Jobs::Table, Jobs::EmployerId)
                        .to(Employers::Table, Employers::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("jobs_employer_reference")
                .table(Jobs::Table)
                .col(Jobs::EmployerId)
                .col(Jobs::Reference)
                .unique()
                .to_owned(),
        )
        .await?;
        // The board's list by state and district, newest first.
        m.create_index(
            Index::create()
                .name("jobs_status_district")
                .table(Jobs::Table)
                .col(Jobs::Status)
                .col(Jobs::District)
                .col(Jobs::Id)
                .to_owned(),
        )
        .await?;
        // What changed since a server last looked (keeping in-memory indexes in step).
        m.create_index(Index::create().name("jobs_updated_at").table(Jobs::Table).col(Jobs::UpdatedAt).to_owned())
            .await?;

        m.create_table(
            Table::create()
                .table(JobPushes::Table)
                .col(ColumnDef::new(JobPushes::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(JobPushes::PersonId).big_integer().not_null())
                .col(ColumnDef::new(JobPushes::JobId).big_integer().not_null())
                .col(ColumnDef::new(JobPushes::PushDate).date().not_null())
                .col(ColumnDef::new(JobPushes::Score).integer().not_null())
                .col(ColumnDef::new(JobPushes::Explanation).text().not_null())
                .col(ColumnDef::new(JobPushes::Channel).small_integer().not_null())
                .col(ColumnDef::new(JobPushes::State).small_integer().not_null())
                .col(ColumnDef::new(JobPushes::SentAt).timestamp_with_time_zone())
                .col(ColumnDef::new(JobPushes::Outcome).small_integer())
                .col(ColumnDef::new(JobPushes::OutcomeAt).timestamp_with_time_zone())
                .col(ColumnDef::new(JobPushes::CreatedAt).timestamp_with_time_zone().not_null())
                .foreign_key(
                    ForeignKey::create()
                        .name("job_pushes_person")
                        .from(JobPushes::Table, JobPushes::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("job_pushes_job")
                        .from(JobPushes::Table, JobPushes::JobId)
                        .to(Jobs::Table, Jobs::Id),
                )
                .to_owned(),
        )
        .await?;
        // Exactly once per worker and job.
        m.create_index(
            Index::create()
                .name("job_pushes_person_job")
                .table(JobPushes::Table)
                .col(JobPushes::PersonId)
                .col(JobPushes::JobId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("job_pushes_state")
                .table(JobPushes::Table)
                .col(JobPushes::State)
                .col(JobPushes::Id)
                .to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("job_pushes_job").table(JobPushes::Table).col(JobPushes::JobId).to_owned())
            .await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
