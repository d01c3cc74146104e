//! 零工市场 stations and their day-work claims, and 招聘会 (SPEC §3; seed 001 §(五)(六)).
//! A day-work posting is a `jobs` row of kind 零工 with its station; a claim is one
//! worker taking one place of it, unique per (job, person), counted in `jobs.hired`
//! while it stands. A fair lists its employers and its postings (`jobs.fair_id`) and
//! records attendance and hires.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_gig_and_fairs"
    }
}

#[derive(DeriveIden)]
enum GigStations {
    Table,
    Id,
    Name,
    Region,
    District,
    Address,
    OpenedOn,
    Operator,
    CreatedAt,
}

#[derive(DeriveIden)]
enum GigClaims {
    Table,
    Id,
    JobId,
    PersonId,
    Status,
    ClaimedAt,
    CompletedAt,
}

#[derive(DeriveIden)]
enum JobFairs {
    Table,
    Id,
    Name,
    HeldOn,
    Region,
    District,
    Venue,
    Online,
    Organizer,
    Attendance,
    Hires,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JobFairEmployers {
    Table,
    FairId,
    EmployerId,
}

#[derive(DeriveIden)]
enum Jobs {
    Table,
    Id,
    StationId,
    FairId,
}

#[derive(DeriveIden)]
enum Persons {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Employers {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(GigStations::Table)
                .col(ColumnDef::new(GigStations::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(GigStations::Name).string().not_null())
                .col(ColumnDef::new(GigStations::Region).big_integer().not_null())
                .col(ColumnDef::new(GigStations::District).big_integer().not_null())
                .col(ColumnDef::new(GigStations::Address).string().not_null())
                .col(ColumnDef::new(GigStations::OpenedOn).date().not_null())
                .col(ColumnDef::new(GigStations::Operator).string().not_null())
                .col(ColumnDef::new(GigStations::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JobFairs::Table)
                .col(ColumnDef::new(JobFairs::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(JobFairs::Name).string().not_null())
                .col(ColumnDef::new(JobFairs::HeldOn).date().not_null())
                .col(ColumnDef::new(JobFairs::Region).big_integer().not_null())
                .col(ColumnDef::new(JobFairs::District).big_integer().not_null())
                .col(ColumnDef::new(JobFairs::Venue).string().not_null())
                .col(ColumnDef::new(JobFairs::Online).boolean().not_null())
                .col(ColumnDef::new(JobFairs::Organizer).string().not_null())
                .col(ColumnDef::new(JobFairs::Attendance).integer().not_null().default(0))
                .col(ColumnDef::new(JobFairs::Hires).integer().not_null().default(0))
                .col(ColumnDef::new(JobFairs::CreatedBy).string().not_null())
                .col(ColumnDef::new(JobFairs::CreatedAt).timestamp_with_time_zone().not_null())
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(JobFairEmployers::Table)
                .col(ColumnDef::new(JobFairEmployers::FairId).big_integer().not_null())
                .col(ColumnDef::new(JobFairEmployers::EmployerId).big_integer().not_null())
                .primary_key(Index::create().col(JobFairEmployers::FairId).col(JobFairEmployers::EmployerId))
                .foreign_key(
                    ForeignKey::create()
                        .name("job_fair_employers_fair")
                        .from(JobFairEmployers::Table, JobFairEmployers::FairId)
                        .to(JobFairs::Table, JobFairs::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("job_fair_employers_employer")
                        .from(JobFairEmployers::Table, JobFairEmployers::EmployerId)
                        .to(Employers::Table, Employers::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(GigClaims::Table)
                .col(ColumnDef::new(GigClaims::Id).big_integer().not_null().auto_increment().primary_key())
                .col(ColumnDef::new(GigClaims::JobId).big_integer().not_null())
                .col(ColumnDef::new(GigClaims::PersonId).big_integer().not_null())
                .col(ColumnDef::new(GigClaims::Status).small_integer().not_null())
                .col(ColumnDef::new(GigClaims::ClaimedAt).timestamp_with_time_zone().not_null())
                .col(ColumnDef::new(GigClaims::CompletedAt).timestamp_with_time_zone())
                .foreign_key(
                    ForeignKey::create()
                        .name("gig_claims_job")
                        .from(GigClaims::Table, GigClaims::JobId)
                        .to(Jobs::Table, Jobs::Id),
                )
                .foreign_key(
                    ForeignKey::create()
                        .name("gig_claims_person")
                        .from(GigClaims::Table, GigClaims::PersonId)
                        .to(Persons::Table, Persons::Id),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("gig_claims_job_person")
                .table(GigClaims::Table)
                .col(GigClaims::JobId)
                .col(GigClaims::PersonId)
                .unique()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Jobs::Table).add_column(ColumnDef::new(Jobs::StationId).big_integer()).to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter().table(Jobs::Table).add_column(ColumnDef::new(Jobs::FairId).big_integer()).to_owned(),
        )
        .await?;
        m.create_index(
            Index::create().name("jobs_station").table(Jobs::Table).col(Jobs::StationId).col(Jobs::Id).to_owned(),
        )
        .await?;
        m.create_index(Index::create().name("jobs_fair").table(Jobs::Table).col(Jobs::FairId).to_owned()).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration("迁移只能向前执行（forward-only）".into()))
    }
}
